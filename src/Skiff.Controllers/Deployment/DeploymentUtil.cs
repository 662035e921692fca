using System.Globalization;
using k8s.Models;
using Skiff.Client.Rest;

namespace Skiff.Controllers.Deployment;

/// <summary>
/// The replica arithmetic of upstream's <c>pkg/controller/deployment/util/deployment_util.go</c>: maxSurge and
/// maxUnavailable with their rounding, the new ReplicaSet's next size, proportional scaling, and the orderings the
/// controller sorts ReplicaSets by. Pure functions over the API types.
/// </summary>
internal static class DeploymentUtil
{
    /// <summary>The Deployment's desired replicas (default 1).</summary>
    public static int Replicas(V1Deployment d) => d.Spec.Replicas ?? 1;

    /// <summary>A ReplicaSet's desired replicas (default 1).</summary>
    public static int Replicas(V1ReplicaSet rs) => rs.Spec.Replicas ?? 1;

    public static bool IsRollingUpdate(V1Deployment d) => (d.Spec.Strategy?.Type ?? "RollingUpdate") == "RollingUpdate";

    /// <summary>
    /// Upstream's <c>intstr.GetScaledValueFromIntOrPercent</c>: an integer as is, <c>N%</c> of
    /// <paramref name="total"/> rounded up or down.
    /// </summary>
    /// <exception cref="FormatException">Neither an integer nor a percentage.</exception>
    public static int ScaledValue(IntOrString? value, int total, bool roundUp)
    {
        var s = value?.Value ?? "0";
        if (int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            return n;
        }

        if (!s.EndsWith('%') || !int.TryParse(s.AsSpan(0, s.Length - 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var percent))
        {
            throw new FormatException($"invalid value for IntOrString: invalid type: string is not a percentage: {s}");
        }

        var scaled = percent * (double)total / 100;
        return (int)(roundUp ? Math.Ceiling(scaled) : Math.Floor(scaled));
    }

    /// <summary>
    /// Upstream's <c>ResolveFenceposts</c>: maxSurge rounded up, maxUnavailable rounded down (absent: 0); when both
    /// come to 0, maxUnavailable is 1 so that a rollout can progress.
    /// </summary>
    public static (int Surge, int Unavailable) ResolveFenceposts(IntOrString? maxSurge, IntOrString? maxUnavailable, int desired)
    {
        var surge = ScaledValue(maxSurge, desired, roundUp: true);
        var unavailable = ScaledValue(maxUnavailable, desired, roundUp: false);
        return surge == 0 && unavailable == 0 ? (0, 1) : (surge, unavailable);
    }

    /// <summary>Upstream's <c>MaxUnavailable</c>: 0 for Recreate or 0 replicas, never more than the replicas.</summary>
    public static int MaxUnavailable(V1Deployment d)
    {
        if (!IsRollingUpdate(d) || Replicas(d) == 0)
        {
            return 0;
        }

        var ru = d.Spec.Strategy?.RollingUpdate;
        var (_, unavailable) = ResolveFenceposts(ru?.MaxSurge, ru?.MaxUnavailable, Replicas(d));
        return Math.Min(unavailable, Replicas(d));
    }

    /// <summary>Upstream's <c>MaxSurge</c>: 0 for Recreate.</summary>
    public static int MaxSurge(V1Deployment d)
    {
        if (!IsRollingUpdate(d))
        {
            return 0;
        }

        var ru = d.Spec.Strategy?.RollingUpdate;
        return ResolveFenceposts(ru?.MaxSurge, ru?.MaxUnavailable, Replicas(d)).Surge;
    }

    /// <summary>
    /// Upstream's <c>NewRSNewReplicas</c>: for RollingUpdate, grow the new ReplicaSet by what maxSurge leaves over the
    /// replicas of all ReplicaSets, never past the Deployment's replicas; for Recreate, the Deployment's replicas.
    /// </summary>
    public static int NewRSNewReplicas(V1Deployment d, IEnumerable<V1ReplicaSet> allRSs, V1ReplicaSet newRS)
    {
        if (!IsRollingUpdate(d))
        {
            return Replicas(d);
        }

        var current = SpecReplicas(allRSs);
        var maxTotal = Replicas(d) + MaxSurge(d);
        if (current >= maxTotal)
        {
            return Replicas(newRS);
        }

        var scaleUp = Math.Min(maxTotal - current, Replicas(d) - Replicas(newRS));
        return Replicas(newRS) + scaleUp;
    }

    /// <summary>Sum of <c>spec.replicas</c> (upstream's <c>GetReplicaCountForReplicaSets</c>).</summary>
    public static int SpecReplicas(IEnumerable<V1ReplicaSet?> rss) => rss.Sum(rs => rs is null ? 0 : Replicas(rs));

    /// <summary>Sum of <c>status.replicas</c> (upstream's <c>GetActualReplicaCountForReplicaSets</c>).</summary>
    public static int ActualReplicas(IEnumerable<V1ReplicaSet?> rss) => rss.Sum(rs => rs?.Status?.Replicas ?? 0);

    /// <summary>Sum of <c>status.readyReplicas</c>.</summary>
    public static int ReadyReplicas(IEnumerable<V1ReplicaSet?> rss) => rss.Sum(rs => rs?.Status?.ReadyReplicas ?? 0);

    /// <summary>Sum of <c>status.availableReplicas</c>.</summary>
    public static int AvailableReplicas(IEnumerable<V1ReplicaSet?> rss) => rss.Sum(rs => rs?.Status?.AvailableReplicas ?? 0);

    /// <summary>The ReplicaSets with spec.replicas &gt; 0 (upstream's <c>FilterActiveReplicaSets</c>).</summary>
    public static List<V1ReplicaSet> Active(IEnumerable<V1ReplicaSet?> rss) => [.. rss.OfType<V1ReplicaSet>().Where(rs => Replicas(rs) > 0)];

    /// <summary>
    /// Upstream's <c>IsSaturated</c>: the new ReplicaSet wants, was annotated with, and has available exactly the
    /// Deployment's replicas.
    /// </summary>
    public static bool IsSaturated(V1Deployment d, V1ReplicaSet? rs) =>
        rs is not null && DeploymentAnnotations.Int(rs, DeploymentAnnotations.DesiredReplicas) is { } desired &&
        Replicas(rs) == Replicas(d) && desired == Replicas(d) && (rs.Status?.AvailableReplicas ?? 0) == Replicas(d);

    /// <summary>
    /// Upstream's <c>FindActiveOrLatest</c>: the one ReplicaSet with replicas, the newest when none has, or null when
    /// several have.
    /// </summary>
    public static V1ReplicaSet? FindActiveOrLatest(V1ReplicaSet? newRS, IReadOnlyList<V1ReplicaSet> oldRSs)
    {
        if (newRS is null && oldRSs.Count == 0)
        {
            return null;
        }

        var newestFirst = oldRSs.OrderBy(rs => rs, ByCreationTimestamp).Reverse().ToList();
        var active = Active(newestFirst.Append(newRS));
        return active.Count switch
        {
            0 => newRS ?? newestFirst[0],
            1 => active[0],
            _ => null,
        };
    }

    /// <summary>
    /// Upstream's <c>GetProportion</c>: how many of the replicas to add (or remove, when negative) fall to
    /// <paramref name="rs"/>, by its share of the annotated max-replicas, capped by what is left to add.
    /// </summary>
    public static int GetProportion(V1ReplicaSet? rs, V1Deployment d, int toAdd, int added)
    {
        if (rs is null || Replicas(rs) == 0 || toAdd == 0 || toAdd == added)
        {
            return 0;
        }

        var fraction = ReplicaSetFraction(rs, d);
        var allowed = toAdd - added;
        return toAdd > 0 ? Math.Min(fraction, allowed) : Math.Max(fraction, allowed);
    }

    private static int ReplicaSetFraction(V1ReplicaSet rs, V1Deployment d)
    {
        if (Replicas(d) == 0)
        {
            return -Replicas(rs);
        }

        var deploymentReplicas = Replicas(d) + MaxSurge(d);
        var annotated = DeploymentAnnotations.Int(rs, DeploymentAnnotations.MaxReplicas) ?? d.Status?.Replicas ?? 0;
        if (annotated <= 0)
        {
            return 0;
        }

        var newSize = (double)Replicas(rs) * deploymentReplicas / annotated;
        return (int)Math.Round(newSize, MidpointRounding.AwayFromZero) - Replicas(rs);
    }

    /// <summary>Older first; ties by name (upstream's <c>ReplicaSetsByCreationTimestamp</c>).</summary>
    public static IComparer<V1ReplicaSet> ByCreationTimestamp { get; } = Comparer<V1ReplicaSet>.Create((a, b) =>
        a.Metadata.CreationTimestamp == b.Metadata.CreationTimestamp
            ? string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name)
            : Nullable.Compare(a.Metadata.CreationTimestamp, b.Metadata.CreationTimestamp));

    /// <summary>Larger first; ties older first (upstream's <c>ReplicaSetsBySizeOlder</c>).</summary>
    public static IComparer<V1ReplicaSet> BySizeOlder { get; } = Comparer<V1ReplicaSet>.Create((a, b) =>
        Replicas(a) == Replicas(b) ? ByCreationTimestamp.Compare(a, b) : Replicas(b).CompareTo(Replicas(a)));

    /// <summary>Larger first; ties newer first (upstream's <c>ReplicaSetsBySizeNewer</c>).</summary>
    public static IComparer<V1ReplicaSet> BySizeNewer { get; } = Comparer<V1ReplicaSet>.Create((a, b) =>
        Replicas(a) == Replicas(b) ? ByCreationTimestamp.Compare(b, a) : Replicas(b).CompareTo(Replicas(a)));

    /// <summary>Lower revision first; ties by creation (upstream's <c>ReplicaSetsByRevision</c>).</summary>
    public static IComparer<V1ReplicaSet> ByRevision { get; } = Comparer<V1ReplicaSet>.Create((a, b) =>
    {
        long ra = DeploymentAnnotations.Revision(a), rb = DeploymentAnnotations.Revision(b);
        return ra == rb ? ByCreationTimestamp.Compare(a, b) : ra.CompareTo(rb);
    });

    /// <summary>
    /// Upstream's <c>EqualIgnoreHash</c>: whether two pod templates are equal once the pod-template-hash label is
    /// ignored, compared in <see cref="PodTemplateHash"/>'s canonical form (zero values and absent fields alike).
    /// </summary>
    public static bool EqualIgnoreHash(V1PodTemplateSpec? a, V1PodTemplateSpec? b) => Canonical(a) == Canonical(b);

    private static string Canonical(V1PodTemplateSpec? template)
    {
        if (template?.Metadata?.Labels is { } labels && labels.ContainsKey(PodTemplateHash.Label))
        {
            template = KubernetesSerialization.DeepCopy(template);
            template.Metadata.Labels.Remove(PodTemplateHash.Label);
        }

        return PodTemplateHash.Canonical(template);
    }
}
