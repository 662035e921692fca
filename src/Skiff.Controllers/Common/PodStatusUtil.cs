using k8s.Models;

namespace Skiff.Controllers.Common;

/// <summary>Pod state as controllers read it (upstream <c>pkg/api/v1/pod</c> and <c>controller.IsPodActive</c>).</summary>
internal static class PodStatusUtil
{
    /// <summary>The Ready condition, or null.</summary>
    public static V1PodCondition? ReadyCondition(V1Pod pod) =>
        pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "Ready");

    /// <summary>Ready: the Ready condition is True.</summary>
    public static bool IsReady(V1Pod pod) => ReadyCondition(pod)?.Status == "True";

    /// <summary>Active: not Succeeded, not Failed, not being deleted.</summary>
    public static bool IsActive(V1Pod pod) =>
        pod.Status?.Phase is not ("Succeeded" or "Failed") && pod.Metadata.DeletionTimestamp is null;

    /// <summary>
    /// Available: ready, and (minReadySeconds 0, or ready since more than <paramref name="minReadySeconds"/> before
    /// <paramref name="now"/>).
    /// </summary>
    public static bool IsAvailable(V1Pod pod, int minReadySeconds, DateTimeOffset now)
    {
        var c = ReadyCondition(pod);
        if (c?.Status != "True")
        {
            return false;
        }

        return minReadySeconds == 0 ||
            (c.LastTransitionTime is { } t && new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)).AddSeconds(minReadySeconds) < now);
    }

    /// <summary>The pods that are active (<see cref="IsActive"/>).</summary>
    public static List<V1Pod> FilterActive(IEnumerable<V1Pod> pods) => [.. pods.Where(IsActive)];

    /// <summary>The <c>namespace/name</c> key.</summary>
    public static string Key(V1Pod pod) => pod.Metadata.NamespaceProperty + "/" + pod.Metadata.Name;
}
