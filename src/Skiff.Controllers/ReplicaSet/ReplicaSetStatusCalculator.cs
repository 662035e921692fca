using k8s.Models;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.ReplicaSet;

/// <summary>Upstream's <c>calculateStatus</c> for a ReplicaSet and its active, claimed pods.</summary>
internal static class ReplicaSetStatusCalculator
{
    /// <summary>The condition type set while creating or deleting pods fails.</summary>
    public const string ReplicaFailure = "ReplicaFailure";

    /// <summary>
    /// replicas (the pods), fullyLabeledReplicas (pods carrying every template label), readyReplicas,
    /// availableReplicas (ready for minReadySeconds at <paramref name="now"/>); <c>ReplicaFailure</c> set (reason
    /// FailedCreate or FailedDelete, the error as message) when <paramref name="manageError"/> is not null and the
    /// condition is absent, removed when the sync succeeded. observedGeneration is left as it was.
    /// </summary>
    public static V1ReplicaSetStatus Calculate(V1ReplicaSet rs, IReadOnlyList<V1Pod> pods, Exception? manageError, DateTimeOffset now)
    {
        var old = rs.Status ?? new V1ReplicaSetStatus();
        var templateLabels = rs.Spec.Template?.Metadata?.Labels ?? new Dictionary<string, string>();
        int fullyLabeled = 0, ready = 0, available = 0;
        foreach (var pod in pods)
        {
            if (templateLabels.All(kv => pod.Metadata.Labels?.TryGetValue(kv.Key, out var v) == true && v == kv.Value))
            {
                fullyLabeled++;
            }

            if (PodStatusUtil.IsReady(pod))
            {
                ready++;
                if (PodStatusUtil.IsAvailable(pod, rs.Spec.MinReadySeconds ?? 0, now))
                {
                    available++;
                }
            }
        }

        var conditions = old.Conditions?.ToList() ?? [];
        var failure = conditions.FirstOrDefault(c => c.Type == ReplicaFailure);
        if (manageError is not null && failure is null)
        {
            var diff = pods.Count - (rs.Spec.Replicas ?? 1);
            conditions.Add(new V1ReplicaSetCondition
            {
                Type = ReplicaFailure,
                Status = "True",
                Reason = diff < 0 ? "FailedCreate" : diff > 0 ? "FailedDelete" : "",
                Message = manageError.Message,
                LastTransitionTime = now.UtcDateTime,
            });
        }
        else if (manageError is null && failure is not null)
        {
            conditions.Remove(failure);
        }

        return new V1ReplicaSetStatus
        {
            Replicas = pods.Count,
            FullyLabeledReplicas = fullyLabeled,
            ReadyReplicas = ready,
            AvailableReplicas = available,
            ObservedGeneration = old.ObservedGeneration,
            Conditions = conditions.Count == 0 ? null : conditions,
        };
    }

    /// <summary>Whether two condition lists are equal (type, status, reason, message, time), null equal to empty.</summary>
    public static bool ConditionsEqual(IList<V1ReplicaSetCondition>? a, IList<V1ReplicaSetCondition>? b)
    {
        a ??= [];
        b ??= [];
        return a.Count == b.Count && a.Zip(b).All(p => p.First.Type == p.Second.Type && p.First.Status == p.Second.Status &&
            p.First.Reason == p.Second.Reason && p.First.Message == p.Second.Message && p.First.LastTransitionTime == p.Second.LastTransitionTime);
    }
}
