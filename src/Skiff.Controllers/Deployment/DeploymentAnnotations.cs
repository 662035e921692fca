using System.Globalization;
using k8s;
using k8s.Models;

namespace Skiff.Controllers.Deployment;

/// <summary>
/// The annotations a Deployment and its ReplicaSets carry (upstream's <c>deployment_util.go</c>): the revision and its
/// history, the desired and max replicas a ReplicaSet was last sized for, and the Deployment annotations copied to
/// its new ReplicaSet.
/// </summary>
internal static class DeploymentAnnotations
{
    public const string RevisionKey = "deployment.kubernetes.io/revision";
    public const string RevisionHistory = "deployment.kubernetes.io/revision-history";
    public const string DesiredReplicas = "deployment.kubernetes.io/desired-replicas";
    public const string MaxReplicas = "deployment.kubernetes.io/max-replicas";
    public const string RollbackTo = "deprecated.deployment.rollback.to";
    public const string LastAppliedConfig = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>Upstream's <c>maxRevHistoryLengthInChars</c>.</summary>
    public const int MaxRevisionHistoryLength = 2000;

    private static readonly HashSet<string> NotCopied = [LastAppliedConfig, RevisionKey, RevisionHistory, DesiredReplicas, MaxReplicas, RollbackTo];

    /// <summary>The object's revision (0 when absent or not a number).</summary>
    public static long Revision(IKubernetesObject<V1ObjectMeta> obj) =>
        obj.Metadata.Annotations?.TryGetValue(RevisionKey, out var v) == true && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 0;

    /// <summary>The highest revision of <paramref name="rss"/> (0 when none).</summary>
    public static long MaxRevision(IEnumerable<V1ReplicaSet> rss) => rss.Select(Revision).DefaultIfEmpty(0).Max();

    /// <summary>An int32 annotation, or null when absent or invalid.</summary>
    public static int? Int(V1ReplicaSet rs, string key) =>
        rs.Metadata.Annotations?.TryGetValue(key, out var v) == true && int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : null;

    /// <summary>Whether the desired-replicas and max-replicas annotations differ from the given values.</summary>
    public static bool ReplicasNeedUpdate(V1ReplicaSet rs, int desired, int max) =>
        rs.Metadata.Annotations is not { } a ||
        !a.TryGetValue(DesiredReplicas, out var d) || d != desired.ToString(CultureInfo.InvariantCulture) ||
        !a.TryGetValue(MaxReplicas, out var m) || m != max.ToString(CultureInfo.InvariantCulture);

    /// <summary>Sets desired-replicas and max-replicas; true when either changed.</summary>
    public static bool SetReplicas(V1ReplicaSet rs, int desired, int max)
    {
        rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var changed = Set(rs.Metadata.Annotations, DesiredReplicas, desired.ToString(CultureInfo.InvariantCulture));
        return Set(rs.Metadata.Annotations, MaxReplicas, max.ToString(CultureInfo.InvariantCulture)) | changed;
    }

    /// <summary>Sets the Deployment's revision annotation; true when it changed (upstream's <c>SetDeploymentRevision</c>).</summary>
    public static bool SetDeploymentRevision(V1Deployment d, string revision)
    {
        d.Metadata.Annotations ??= new Dictionary<string, string>();
        return Set(d.Metadata.Annotations, RevisionKey, revision);
    }

    /// <summary>
    /// Upstream's <c>SetNewReplicaSetAnnotations</c>: copies the Deployment's annotations (except the ones above and
    /// last-applied-configuration), raises the revision to <paramref name="newRevision"/> — recording the one it
    /// replaces in revision-history (comma-separated, oldest dropped past <see cref="MaxRevisionHistoryLength"/>
    /// characters) — and, for a ReplicaSet being created, sets desired/max replicas. True when anything changed.
    /// </summary>
    public static bool SetNewReplicaSetAnnotations(V1Deployment d, V1ReplicaSet rs, string newRevision, bool exists)
    {
        var changed = CopyDeploymentAnnotations(d, rs);
        var a = rs.Metadata.Annotations ??= new Dictionary<string, string>();
        var oldRevision = a.TryGetValue(RevisionKey, out var o) ? o : "";
        long oldInt = 0;
        if (oldRevision.Length > 0 && !long.TryParse(oldRevision, NumberStyles.None, CultureInfo.InvariantCulture, out oldInt))
        {
            return false;
        }

        if (!long.TryParse(newRevision, NumberStyles.None, CultureInfo.InvariantCulture, out var newInt))
        {
            return false;
        }

        if (oldInt < newInt)
        {
            a[RevisionKey] = newRevision;
            changed = true;
        }

        if (oldRevision.Length > 0 && oldInt < newInt)
        {
            var history = a.TryGetValue(RevisionHistory, out var h) ? h : "";
            if (history.Length == 0)
            {
                a[RevisionHistory] = oldRevision;
            }
            else
            {
                var old = history.Split(',').ToList();
                var total = history.Length + oldRevision.Length + 1;
                var start = 0;
                while (total > MaxRevisionHistoryLength && start < old.Count)
                {
                    total -= old[start].Length + 1;
                    start++;
                }

                if (total <= MaxRevisionHistoryLength)
                {
                    a[RevisionHistory] = string.Join(',', old.Skip(start).Append(oldRevision));
                }
            }
        }

        if (!exists && SetReplicas(rs, DeploymentUtil.Replicas(d), DeploymentUtil.Replicas(d) + DeploymentUtil.MaxSurge(d)))
        {
            changed = true;
        }

        return changed;
    }

    private static bool CopyDeploymentAnnotations(V1Deployment d, V1ReplicaSet rs)
    {
        var changed = false;
        rs.Metadata.Annotations ??= new Dictionary<string, string>();
        foreach (var (k, v) in d.Metadata.Annotations ?? new Dictionary<string, string>())
        {
            if (!NotCopied.Contains(k) && Set(rs.Metadata.Annotations, k, v))
            {
                changed = true;
            }
        }

        return changed;
    }

    private static bool Set(IDictionary<string, string> a, string key, string value)
    {
        if (a.TryGetValue(key, out var old) && old == value)
        {
            return false;
        }

        a[key] = value;
        return true;
    }
}
