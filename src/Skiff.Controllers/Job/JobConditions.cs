using k8s.Models;

namespace Skiff.Controllers.Job;

/// <summary>
/// The Job condition types and reasons of batch/v1 in 1.32, and upstream's <c>newCondition</c> and
/// <c>ensureJobConditionStatus</c>. A Job first gets the interim FailureTarget or SuccessCriteriaMet condition, and the
/// terminal Failed or Complete (same reason and message) once no pod is left to count or terminating.
/// </summary>
internal static class JobConditions
{
    public const string Complete = "Complete";
    public const string Failed = "Failed";
    public const string Suspended = "Suspended";
    public const string FailureTarget = "FailureTarget";
    public const string SuccessCriteriaMet = "SuccessCriteriaMet";

    public const string ReasonBackoffLimitExceeded = "BackoffLimitExceeded";
    public const string ReasonDeadlineExceeded = "DeadlineExceeded";
    public const string ReasonPodFailurePolicy = "PodFailurePolicy";
    public const string ReasonMaxFailedIndexesExceeded = "MaxFailedIndexesExceeded";
    public const string ReasonFailedIndexes = "FailedIndexes";
    public const string ReasonCompletionsReached = "CompletionsReached";
    public const string ReasonSuccessPolicy = "SuccessPolicy";

    /// <summary>A condition with both times <paramref name="now"/>.</summary>
    public static V1JobCondition New(string type, string status, string? reason, string? message, DateTimeOffset now) => new()
    {
        Type = type,
        Status = status,
        Reason = string.IsNullOrEmpty(reason) ? null : reason,
        Message = string.IsNullOrEmpty(message) ? null : message,
        LastProbeTime = now.UtcDateTime,
        LastTransitionTime = now.UtcDateTime,
    };

    /// <summary>
    /// Upstream's <c>ensureJobConditionStatus</c>: replaces the condition of <paramref name="type"/> when its status,
    /// reason or message differ; appends it when absent, unless <paramref name="status"/> is False. Returns whether the
    /// list changed.
    /// </summary>
    public static bool Ensure(V1JobStatus status, string type, string value, string? reason, string? message, DateTimeOffset now)
    {
        status.Conditions ??= [];
        for (var i = 0; i < status.Conditions.Count; i++)
        {
            var c = status.Conditions[i];
            if (c.Type != type)
            {
                continue;
            }

            if (c.Status != value || (c.Reason ?? "") != (reason ?? "") || (c.Message ?? "") != (message ?? ""))
            {
                status.Conditions[i] = New(type, value, reason, message, now);
                return true;
            }

            return false;
        }

        if (value != "False")
        {
            status.Conditions.Add(New(type, value, reason, message, now));
            return true;
        }

        return false;
    }
}
