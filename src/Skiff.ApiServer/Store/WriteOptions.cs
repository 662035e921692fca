namespace Skiff.ApiServer.Store;

/// <summary>Options common to create, update and patch.</summary>
/// <param name="DryRun">dryRun=All: validate and return, store nothing.</param>
/// <param name="FieldManager">The manager recorded in managedFields.</param>
/// <param name="Subresource">The subresource written through (status, scale, finalize) or empty.</param>
internal sealed record WriteOptions(bool DryRun, string FieldManager, string Subresource = "");
