using k8s.Models;
using TrainingOperator.Api;

namespace TrainingOperator.Controllers;

/// <summary>
/// Computes a training job's status from its pods, as tf-operator's <c>UpdateJobStatus</c> for TFJob does:
/// <list type="bullet">
/// <item>replicaStatuses: per type, pods pending or running (active), succeeded and failed;</item>
/// <item>with a Chief: Running while the chief runs, Succeeded when every chief replica has succeeded;</item>
/// <item>without a Chief: Running while a worker runs, Succeeded when worker 0 (or every worker) has succeeded;</item>
/// <item>Failed when any replica failed (pods only reach Failed under restartPolicy Never; OnFailure and Always pods
/// are restarted by the kubelet);</item>
/// <item>Succeeded and Failed are final: set completionTime, and later pod changes do not alter the conditions.</item>
/// </list>
/// </summary>
public static class JobStatusCalculator
{
    /// <summary>The events to record for a status change: (type, reason, message).</summary>
    public sealed record StatusEvent(string Type, string Reason, string Message);

    /// <summary>Updates <paramref name="status"/> (a copy the caller owns) from <paramref name="pods"/>; returns the events to record.</summary>
    public static IReadOnlyList<StatusEvent> Update(TrainingJob job, TrainingJobStatus status, IReadOnlyList<V1Pod> pods, DateTime now)
    {
        var events = new List<StatusEvent>();
        var name = $"{job.Metadata.NamespaceProperty}/{job.Metadata.Name}";
        status.ReplicaStatuses = new Dictionary<string, ReplicaStatus>();
        var byType = pods.Select(p => (Pod: p, Id: ReplicaResources.Identify(p))).Where(x => x.Id is not null).ToLookup(x => x.Id!.Value.Type);
        foreach (var type in ReplicaTypes.All.Where(job.Spec.ReplicaSpecs.ContainsKey))
        {
            var typed = byType[type].ToList();
            status.ReplicaStatuses[type] = new ReplicaStatus
            {
                Active = typed.Count(x => x.Pod.Status?.Phase is null or "Pending" or "Running"),
                Succeeded = typed.Count(x => x.Pod.Status?.Phase == "Succeeded"),
                Failed = typed.Count(x => x.Pod.Status?.Phase == "Failed"),
            };
        }

        if (JobConditions.IsFinished(status))
        {
            return events;
        }

        var hasChief = job.Spec.ReplicaSpecs.ContainsKey(ReplicaTypes.Chief);
        foreach (var type in ReplicaTypes.All.Where(job.Spec.ReplicaSpecs.ContainsKey))
        {
            var replicas = ReplicaResources.Replicas(job.Spec.ReplicaSpecs[type]);
            var counts = status.ReplicaStatuses[type];
            var running = byType[type].Count(x => x.Pod.Status?.Phase == "Running");
            if (type == (hasChief ? ReplicaTypes.Chief : ReplicaTypes.Worker))
            {
                var worker0Done = !hasChief && byType[type].Any(x => x.Id!.Value.Index == 0 && x.Pod.Status?.Phase == "Succeeded");
                if (replicas - counts.Succeeded <= 0 || worker0Done)
                {
                    var message = $"TrainingJob {name} successfully completed.";
                    JobConditions.Set(status, JobConditionTypes.Succeeded, "TrainingJobSucceeded", message, now);
                    status.CompletionTime ??= now;
                    events.Add(new StatusEvent("Normal", "TrainingJobSucceeded", message));
                    return events;
                }

                if (running > 0 && JobConditions.Set(status, JobConditionTypes.Running, "TrainingJobRunning", $"TrainingJob {name} is running.", now))
                {
                    events.Add(new StatusEvent("Normal", "TrainingJobRunning", $"TrainingJob {name} is running."));
                }
            }

            if (counts.Failed > 0)
            {
                var message = $"TrainingJob {name} has failed because {counts.Failed} {type} replica(s) failed.";
                JobConditions.Set(status, JobConditionTypes.Failed, "TrainingJobFailed", message, now);
                status.CompletionTime ??= now;
                events.Add(new StatusEvent("Warning", "TrainingJobFailed", message));
                return events;
            }
        }

        return events;
    }
}
