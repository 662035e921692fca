using k8s.Models;

namespace Skiff.Controllers.Job;

/// <summary>How the Job controller reads a Job's spec and conditions (upstream's helpers in <c>job_controller.go</c> and <c>job/util</c>).</summary>
internal static class JobSpecs
{
    /// <summary>The <c>spec.managedBy</c> value this controller owns (a Job without managedBy is ours too).</summary>
    public const string JobControllerName = "kubernetes.io/job-controller";

    public static bool IsIndexed(V1Job job) => job.Spec.CompletionMode == "Indexed";

    public static bool HasBackoffLimitPerIndex(V1Job job) => job.Spec.BackoffLimitPerIndex is not null;

    public static bool IsSuspended(V1Job job) => job.Spec.Suspend == true;

    /// <summary>
    /// Upstream's <c>onlyReplaceFailedPods</c>: podReplacementPolicy Failed, or a podFailurePolicy (which implies it):
    /// terminating pods are neither replaced nor counted as failed until they reach the Failed phase.
    /// </summary>
    public static bool OnlyReplaceFailedPods(V1Job job) => job.Spec.PodReplacementPolicy == "Failed" || job.Spec.PodFailurePolicy is not null;

    /// <summary>spec.managedBy when it names another controller (the Job is then left alone); null when it is ours.</summary>
    public static string? ManagedByExternalController(V1Job job) =>
        job.Spec.ManagedBy is { } name && name != JobControllerName ? name : null;

    /// <summary>Upstream's <c>IsJobFinished</c>: a Complete or Failed condition with status True.</summary>
    public static bool IsFinished(V1Job job) =>
        job.Status?.Conditions?.Any(c => c.Type is JobConditions.Complete or JobConditions.Failed && c.Status == "True") == true;

    /// <summary>The first condition of <paramref name="type"/>, or null.</summary>
    public static V1JobCondition? Find(IList<V1JobCondition>? conditions, string type) => conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>The SuccessCriteriaMet condition when it is True, else null.</summary>
    public static V1JobCondition? SuccessCriteriaMet(V1Job job) =>
        Find(job.Status?.Conditions, JobConditions.SuccessCriteriaMet) is { Status: "True" } c ? c : null;

    public static bool IsSuccessCriteriaMet(V1JobCondition? c) => c is { Type: JobConditions.SuccessCriteriaMet, Status: "True" };

    /// <summary>The completion mode as a metrics label would name it.</summary>
    public static string CompletionMode(V1Job job) => IsIndexed(job) ? "Indexed" : "NonIndexed";
}
