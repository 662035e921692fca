using k8s.Models;

namespace Skiff.Client.Scheduling;

/// <summary>
/// Whether tolerations tolerate taints, as upstream's <c>v1.Toleration.ToleratesTaint</c> (shared there through
/// <c>component-helpers</c> by the scheduler, the DaemonSet controller and the node lifecycle controllers, as here).
/// </summary>
public static class Tolerations
{
    /// <summary>
    /// Upstream's <c>ToleratesTaint</c>: an empty effect matches every effect, an empty key (with <c>Exists</c>) every
    /// key; <c>Exists</c> ignores the value, <c>Equal</c> (the default) compares it.
    /// </summary>
    public static bool Tolerates(V1Toleration toleration, V1Taint taint)
    {
        ArgumentNullException.ThrowIfNull(toleration);
        ArgumentNullException.ThrowIfNull(taint);
        if (!string.IsNullOrEmpty(toleration.Effect) && toleration.Effect != taint.Effect)
        {
            return false;
        }

        if (!string.IsNullOrEmpty(toleration.Key) && toleration.Key != taint.Key)
        {
            return false;
        }

        return toleration.OperatorProperty switch
        {
            null or "" or "Equal" => (toleration.Value ?? "") == (taint.Value ?? ""),
            "Exists" => true,
            _ => false,
        };
    }

    /// <summary>Whether any of <paramref name="tolerations"/> tolerates <paramref name="taint"/>.</summary>
    public static bool Tolerates(IEnumerable<V1Toleration>? tolerations, V1Taint taint) => (tolerations ?? []).Any(t => Tolerates(t, taint));
}
