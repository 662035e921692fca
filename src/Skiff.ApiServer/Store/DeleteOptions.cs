namespace Skiff.ApiServer.Store;

/// <summary>Parsed DeleteOptions (body or query).</summary>
internal sealed record DeleteOptions
{
    public long? GracePeriodSeconds { get; init; }
    public string? PropagationPolicy { get; init; }
    public bool? OrphanDependents { get; init; }
    public string? PreconditionUid { get; init; }
    public string? PreconditionResourceVersion { get; init; }
    public bool DryRun { get; init; }

    /// <summary>The request's admission (null: the server's own delete).</summary>
    public Admission.AdmissionRequest? Admission { get; init; }
}
