namespace Skiff.ApiServer.Store;

/// <summary>Options common to create, update and patch.</summary>
/// <param name="DryRun">dryRun=All: validate and return, store nothing.</param>
/// <param name="FieldManager">The manager recorded in managedFields.</param>
/// <param name="Subresource">The subresource written through (status, scale, finalize) or empty.</param>
/// <param name="ManagedFieldsSet">
/// True for server-side apply: the produced object already carries its managedFields (computed by the apply
/// engine), so the store keeps them and records no Update entry.
/// </param>
internal sealed record WriteOptions(bool DryRun, string FieldManager, string Subresource = "", bool ManagedFieldsSet = false)
{
    /// <summary>The request's admission (null: the server's own write, admitted by nothing).</summary>
    public Admission.AdmissionRequest? Admission { get; init; }
}
