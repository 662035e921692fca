using k8s.Models;
using Skiff.Client.Rest;

namespace Skiff.Controllers.CronJob;

/// <summary>The names, annotations and job predicates upstream's CronJob controller uses.</summary>
internal static class CronJobNames
{
    /// <summary>The scheduled time (RFC 3339, in the CronJob's zone) on every Job a CronJob creates.</summary>
    public const string ScheduledTimestampAnnotation = "batch.kubernetes.io/cronjob-scheduled-timestamp";

    /// <summary>Upstream's <c>getJobName</c>: <c>&lt;cronjob&gt;-&lt;scheduled time in minutes since the epoch&gt;</c>.</summary>
    public static string JobName(string cronJob, DateTimeOffset scheduled) => $"{cronJob}-{scheduled.ToUnixTimeSeconds() / 60}";

    /// <summary>The finished condition (Complete or Failed, status True) of <paramref name="job"/>, or null while it runs.</summary>
    public static string? Finished(V1Job job) =>
        job.Status?.Conditions?.FirstOrDefault(c => c.Type is "Complete" or "Failed" && c.Status == "True")?.Type;

    /// <summary>Upstream's <c>getJobFromTemplate2</c>: the Job a CronJob starts for <paramref name="scheduled"/>.</summary>
    public static V1Job JobFor(V1CronJob cj, DateTimeOffset scheduled, TimeZoneInfo zone)
    {
        var template = KubernetesSerialization.DeepCopy(cj.Spec.JobTemplate);
        var annotations = new Dictionary<string, string>(template.Metadata?.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
        {
            [ScheduledTimestampAnnotation] = TimeZoneInfo.ConvertTime(scheduled, zone).ToString("yyyy-MM-dd'T'HH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture)
                .Replace("+00:00", "Z", StringComparison.Ordinal),
        };
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = new V1ObjectMeta
            {
                Name = JobName(cj.Metadata.Name, scheduled),
                NamespaceProperty = cj.Metadata.NamespaceProperty,
                Labels = template.Metadata?.Labels is { } l ? new Dictionary<string, string>(l, StringComparer.Ordinal) : null,
                Annotations = annotations,
                OwnerReferences =
                [
                    new V1OwnerReference { ApiVersion = "batch/v1", Kind = "CronJob", Name = cj.Metadata.Name, Uid = cj.Metadata.Uid, BlockOwnerDeletion = true, Controller = true },
                ],
            },
            Spec = template.Spec,
        };
    }
}
