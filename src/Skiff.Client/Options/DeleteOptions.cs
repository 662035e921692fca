using k8s.Models;

namespace Skiff.Client.Options;

/// <summary>metav1.DeleteOptions, sent as the request body.</summary>
public sealed record DeleteOptions
{
    public long? GracePeriodSeconds { get; init; }

    /// <summary>Orphan, Background or Foreground.</summary>
    public string? PropagationPolicy { get; init; }

    /// <summary>Delete only if the object still has this UID.</summary>
    public string? PreconditionUid { get; init; }

    /// <summary>Delete only if the object still has this resourceVersion.</summary>
    public string? PreconditionResourceVersion { get; init; }

    public bool DryRun { get; init; }

    public V1DeleteOptions ToModel() => new()
    {
        ApiVersion = "v1",
        Kind = "DeleteOptions",
        GracePeriodSeconds = GracePeriodSeconds,
        PropagationPolicy = PropagationPolicy,
        DryRun = DryRun ? ["All"] : null,
        Preconditions = PreconditionUid is null && PreconditionResourceVersion is null
            ? null
            : new V1Preconditions { Uid = PreconditionUid, ResourceVersion = PreconditionResourceVersion },
    };
}
