using TrainingOperator.Api;

namespace TrainingOperator.Controllers;

/// <summary>
/// tf-operator's condition rules: a condition that changes is moved to the end of the list (so the last one is the
/// job's state, which the State column prints); one unchanged in status and reason is left alone; Succeeded or Failed
/// turns Running to False.
/// </summary>
public static class JobConditions
{
    public static JobCondition? Get(TrainingJobStatus status, string type) => status.Conditions?.FirstOrDefault(c => c.Type == type);

    public static bool IsTrue(TrainingJobStatus? status, string type) => status is not null && Get(status, type)?.Status == "True";

    /// <summary>Whether the job has succeeded or failed.</summary>
    public static bool IsFinished(TrainingJobStatus? status) => IsTrue(status, JobConditionTypes.Succeeded) || IsTrue(status, JobConditionTypes.Failed);

    /// <summary>Sets a True condition; returns false when it was already set with the same reason.</summary>
    public static bool Set(TrainingJobStatus status, string type, string reason, string message, DateTime now)
    {
        var existing = Get(status, type);
        if (existing is not null && existing.Status == "True" && existing.Reason == reason)
        {
            return false;
        }

        var conditions = (status.Conditions ?? []).Where(c => c.Type != type).ToList();
        if (type is JobConditionTypes.Succeeded or JobConditionTypes.Failed)
        {
            foreach (var running in conditions.Where(c => c.Type == JobConditionTypes.Running && c.Status == "True"))
            {
                running.Status = "False";
                running.LastUpdateTime = now;
                running.LastTransitionTime = now;
            }
        }

        conditions.Add(new JobCondition
        {
            Type = type,
            Status = "True",
            Reason = reason,
            Message = message,
            LastUpdateTime = now,
            LastTransitionTime = existing?.Status == "True" ? existing.LastTransitionTime : now,
        });
        status.Conditions = conditions;
        return true;
    }
}
