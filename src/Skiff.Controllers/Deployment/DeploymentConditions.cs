using k8s.Models;

namespace Skiff.Controllers.Deployment;

/// <summary>
/// Deployment conditions and the progress tests of upstream's <c>deployment_util.go</c>, with its reasons and messages.
/// </summary>
internal static class DeploymentConditions
{
    public const string Progressing = "Progressing";
    public const string Available = "Available";
    public const string ReplicaFailure = "ReplicaFailure";

    public const string NewRSReason = "NewReplicaSetCreated";
    public const string FoundNewRSReason = "FoundNewReplicaSet";
    public const string ReplicaSetUpdatedReason = "ReplicaSetUpdated";
    public const string NewRSAvailableReason = "NewReplicaSetAvailable";
    public const string TimedOutReason = "ProgressDeadlineExceeded";
    public const string PausedDeployReason = "DeploymentPaused";
    public const string ResumedDeployReason = "DeploymentResumed";
    public const string FailedRSCreateReason = "ReplicaSetCreateError";
    public const string MinimumReplicasAvailable = "MinimumReplicasAvailable";
    public const string MinimumReplicasUnavailable = "MinimumReplicasUnavailable";

    /// <summary>A condition with both times at <paramref name="now"/>.</summary>
    public static V1DeploymentCondition New(string type, string status, string reason, string message, DateTime now) => new()
    {
        Type = type,
        Status = status,
        Reason = reason,
        Message = message,
        LastUpdateTime = now,
        LastTransitionTime = now,
    };

    public static V1DeploymentCondition? Get(V1DeploymentStatus? status, string type) => status?.Conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>
    /// Upstream's <c>SetDeploymentCondition</c>: nothing when a condition of the type with the same status and reason
    /// exists; otherwise replaces it, keeping its lastTransitionTime when the status did not change.
    /// </summary>
    public static void Set(V1DeploymentStatus status, V1DeploymentCondition condition)
    {
        var current = Get(status, condition.Type);
        if (current is not null && current.Status == condition.Status && current.Reason == condition.Reason)
        {
            return;
        }

        if (current is not null && current.Status == condition.Status)
        {
            condition.LastTransitionTime = current.LastTransitionTime;
        }

        status.Conditions = [.. (status.Conditions ?? []).Where(c => c.Type != condition.Type), condition];
    }

    public static void Remove(V1DeploymentStatus status, string type)
    {
        if (status.Conditions is { } conditions)
        {
            status.Conditions = [.. conditions.Where(c => c.Type != type)];
        }
    }

    /// <summary>Whether progressDeadlineSeconds is set (and not MaxInt32, upstream's "no deadline").</summary>
    public static bool HasProgressDeadline(V1Deployment d) => d.Spec.ProgressDeadlineSeconds is { } s && s != int.MaxValue;

    /// <summary>Upstream's <c>DeploymentComplete</c>: every replica updated, available, and no old ones left, for the current generation.</summary>
    public static bool Complete(V1Deployment d, V1DeploymentStatus s)
    {
        var replicas = DeploymentUtil.Replicas(d);
        return (s.UpdatedReplicas ?? 0) == replicas && (s.Replicas ?? 0) == replicas && (s.AvailableReplicas ?? 0) == replicas &&
            (s.ObservedGeneration ?? 0) >= (d.Metadata.Generation ?? 0);
    }

    /// <summary>Upstream's <c>DeploymentProgressing</c>: more updated, ready or available replicas, or fewer old ones, than the stored status says.</summary>
    public static bool IsProgressing(V1Deployment d, V1DeploymentStatus s)
    {
        var old = d.Status ?? new V1DeploymentStatus();
        var oldOld = (old.Replicas ?? 0) - (old.UpdatedReplicas ?? 0);
        var newOld = (s.Replicas ?? 0) - (s.UpdatedReplicas ?? 0);
        return (s.UpdatedReplicas ?? 0) > (old.UpdatedReplicas ?? 0) || newOld < oldOld ||
            (s.ReadyReplicas ?? 0) > (old.ReadyReplicas ?? 0) || (s.AvailableReplicas ?? 0) > (old.AvailableReplicas ?? 0);
    }

    /// <summary>
    /// Upstream's <c>DeploymentTimedOut</c>: the Progressing condition was last updated more than
    /// progressDeadlineSeconds before <paramref name="now"/> (never once complete; always once timed out).
    /// </summary>
    public static bool TimedOut(V1Deployment d, V1DeploymentStatus s, DateTime now)
    {
        if (!HasProgressDeadline(d) || Get(s, Progressing) is not { } c || c.Reason == NewRSAvailableReason)
        {
            return false;
        }

        if (c.Reason == TimedOutReason)
        {
            return true;
        }

        return c.LastUpdateTime is { } from && from.AddSeconds(d.Spec.ProgressDeadlineSeconds!.Value) < now;
    }
}
