using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Controllers.Common;

namespace Skiff.Controllers.Disruption;

/// <summary>
/// Upstream's <c>disruption</c> controller (<c>pkg/controller/disruption/disruption.go</c>): keeps each
/// PodDisruptionBudget's status — expectedPods, desiredHealthy (minAvailable, or expected − maxUnavailable; percentages
/// of the controllers' scale, rounded up), currentHealthy (ready pods neither terminating nor in disruptedPods),
/// disruptionsAllowed, observedGeneration, disruptedPods (evictions the API server recorded, dropped once the pod is
/// gone or after two minutes) and the DisruptionAllowed condition (SufficientPods, InsufficientPods, SyncFailed).
/// Expected pods come from the scale of the pods' controllers: ReplicaSets, ReplicationControllers, Deployments
/// (through their ReplicaSets) and StatefulSets; a pod controlled by anything else fails the sync (upstream would ask
/// that kind's scale subresource).
/// </summary>
internal sealed partial class DisruptionController : IReconciler
{
    /// <summary>Upstream's <c>DeletionTimeout</c>: how long an eviction stays in disruptedPods without the pod going.</summary>
    public static readonly TimeSpan DeletionTimeout = TimeSpan.FromMinutes(2);

    private readonly ControllerContext _ctx;
    private readonly Lister<V1PodDisruptionBudget> _pdbs;
    private readonly Lister<V1Pod> _pods;
    private readonly Lister<V1ReplicaSet> _replicaSets;
    private readonly Lister<V1ReplicationController> _rcs;
    private readonly Lister<V1Deployment> _deployments;
    private readonly Lister<V1StatefulSet> _statefulSets;
    private readonly EventRecorder _events;
    private readonly ILogger _logger;

    private DisruptionController(ControllerContext ctx)
    {
        _ctx = ctx;
        var informers = ctx.Manager.Informers;
        _pdbs = informers.Informer<V1PodDisruptionBudget>().Lister;
        _pods = informers.Informer<V1Pod>().Lister;
        _replicaSets = informers.Informer<V1ReplicaSet>().Lister;
        _rcs = informers.Informer<V1ReplicationController>().Lister;
        _deployments = informers.Informer<V1Deployment>().Lister;
        _statefulSets = informers.Informer<V1StatefulSet>().Lister;
        _events = ctx.Manager.CreateEventRecorder("controllermanager");
        _logger = ctx.LoggerFactory.CreateLogger<DisruptionController>();
    }

    /// <summary>Registers the controller: budgets, and the pods they select.</summary>
    public static Controller Register(ControllerContext ctx)
    {
        var c = new DisruptionController(ctx);
        return ctx.Manager.CreateController().Named("disruption").For<V1PodDisruptionBudget>()
            .Watches<V1Pod>(c.BudgetsOf)
            .Watches<V1ReplicaSet>(o => c.BudgetsIn(o.Metadata.NamespaceProperty))
            .Watches<V1Deployment>(o => c.BudgetsIn(o.Metadata.NamespaceProperty))
            .Watches<V1StatefulSet>(o => c.BudgetsIn(o.Metadata.NamespaceProperty))
            .Watches<V1ReplicationController>(o => c.BudgetsIn(o.Metadata.NamespaceProperty))
            .Complete(c);
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        if (_pdbs.Get(request.Namespace, request.Name) is not { } cached)
        {
            return ReconcileResult.Done;
        }

        var pdb = KubernetesSerialization.DeepCopy(cached);
        pdb.Status ??= new V1PodDisruptionBudgetStatus();
        try
        {
            return await TrySyncAsync(pdb, ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsConflict)
        {
            throw;
        }
        catch (InvalidOperationException e)
        {
            // Upstream's failSafe: no disruption allowed until a sync succeeds.
            LogSyncFailed(pdb.Metadata.NamespaceProperty, pdb.Metadata.Name, e.Message);
            pdb.Status.DisruptionsAllowed = 0;
            SetCondition(pdb, "False", "SyncFailed", e.Message);
            await UpdateStatusAsync(pdb, ct).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<ReconcileResult> TrySyncAsync(V1PodDisruptionBudget pdb, CancellationToken ct)
    {
        var pods = PodsOf(pdb);
        if (pods.Count == 0)
        {
            _events.Event(pdb, EventRecorder.Normal, "NoPods", "No matching pods found");
        }

        var (expected, desired, unmanaged) = ExpectedCount(pdb, pods);
        if (unmanaged.Count > 0)
        {
            _events.Event(pdb, EventRecorder.Normal, "UnmanagedPods",
                $"Pods selected by this PodDisruptionBudget (selector: {SelectorText(pdb.Spec.Selector)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set \".spec.minAvailable\" field of the PDB to an integer value.");
        }

        var now = _ctx.TimeProvider.GetUtcNow();
        var (disrupted, recheck) = DisruptedPods(pdb, pods, now);
        var healthy = pods.Count(p => p.Metadata.DeletionTimestamp is null && !disrupted.ContainsKey(p.Metadata.Name) && PodStatusUtil.IsReady(p));
        var allowed = expected <= 0 || healthy - desired <= 0 ? 0 : healthy - desired;

        var s = pdb.Status;
        var condition = s.Conditions?.FirstOrDefault(c => c.Type == "DisruptionAllowed");
        var unchanged = s.CurrentHealthy == healthy && s.DesiredHealthy == desired && s.ExpectedPods == expected && s.DisruptionsAllowed == allowed &&
            s.ObservedGeneration == pdb.Metadata.Generation && SameMap(s.DisruptedPods, disrupted) &&
            condition is not null && condition.Status == (allowed > 0 ? "True" : "False") && condition.Reason != "SyncFailed" &&
            condition.ObservedGeneration == pdb.Metadata.Generation;
        if (!unchanged)
        {
            s.CurrentHealthy = healthy;
            s.DesiredHealthy = desired;
            s.ExpectedPods = expected;
            s.DisruptionsAllowed = allowed;
            s.DisruptedPods = disrupted.Count == 0 ? null : disrupted.ToDictionary(kv => kv.Key, kv => (DateTime?)kv.Value, StringComparer.Ordinal);
            s.ObservedGeneration = pdb.Metadata.Generation;
            if (allowed > 0)
            {
                SetCondition(pdb, "True", "SufficientPods", "");
            }
            else
            {
                SetCondition(pdb, "False", "InsufficientPods", "");
            }

            await UpdateStatusAsync(pdb, ct).ConfigureAwait(false);
        }

        return recheck is { } at ? ReconcileResult.After(at - now) : ReconcileResult.Done;
    }

    /// <summary>Upstream's <c>getExpectedPodCount</c>: (expectedPods, desiredHealthy, unmanaged pods).</summary>
    private (int Expected, int Desired, List<V1Pod> Unmanaged) ExpectedCount(V1PodDisruptionBudget pdb, List<V1Pod> pods)
    {
        if (pdb.Spec.MaxUnavailable is { } maxUnavailable)
        {
            var (expected, unmanaged) = ExpectedScale(pods);
            var max = Scaled(maxUnavailable, expected);
            return (expected, Math.Max(0, expected - max), unmanaged);
        }

        if (pdb.Spec.MinAvailable is { } minAvailable)
        {
            if (!IsPercent(minAvailable))
            {
                return (pods.Count, Scaled(minAvailable, pods.Count), []);
            }

            var (expected, unmanaged) = ExpectedScale(pods);
            return (expected, Scaled(minAvailable, expected), unmanaged);
        }

        return (pods.Count, 0, []);
    }

    /// <summary>Upstream's <c>getExpectedScale</c>: the sum of the scales of the pods' distinct controllers.</summary>
    private (int Expected, List<V1Pod> Unmanaged) ExpectedScale(List<V1Pod> pods)
    {
        var scales = new Dictionary<string, int>(StringComparer.Ordinal);
        var unmanaged = new List<V1Pod>();
        foreach (var pod in pods)
        {
            if (ControllerRefManager<V1Pod>.ControllerOf(pod.Metadata) is not { } owner)
            {
                unmanaged.Add(pod);
                continue;
            }

            if (scales.ContainsKey(owner.Uid))
            {
                continue;
            }

            var (uid, scale) = FindScale(pod.Metadata.NamespaceProperty, owner)
                ?? throw new InvalidOperationException($"found no controllers for pod \"{pod.Metadata.Name}\"");
            scales[uid] = scale;
        }

        return (scales.Values.Sum(), unmanaged);
    }

    /// <summary>The finders: the controlling object's uid and spec.replicas.</summary>
    private (string Uid, int Scale)? FindScale(string ns, V1OwnerReference owner)
    {
        switch (owner.Kind)
        {
            case "ReplicaSet" when owner.ApiVersion.StartsWith("apps/", StringComparison.Ordinal):
                if (_replicaSets.Get(ns, owner.Name) is not { } rs || rs.Metadata.Uid != owner.Uid)
                {
                    return null;
                }

                if (ControllerRefManager<V1ReplicaSet>.ControllerOf(rs.Metadata) is { Kind: "Deployment" } dRef)
                {
                    return _deployments.Get(ns, dRef.Name) is { } d && d.Metadata.Uid == dRef.Uid ? (d.Metadata.Uid, d.Spec.Replicas ?? 1) : null;
                }

                return (rs.Metadata.Uid, rs.Spec.Replicas ?? 1);
            case "ReplicationController" when owner.ApiVersion == "v1":
                return _rcs.Get(ns, owner.Name) is { } rc && rc.Metadata.Uid == owner.Uid ? (rc.Metadata.Uid, rc.Spec.Replicas ?? 1) : null;
            case "StatefulSet" when owner.ApiVersion.StartsWith("apps/", StringComparison.Ordinal):
                return _statefulSets.Get(ns, owner.Name) is { } ss && ss.Metadata.Uid == owner.Uid ? (ss.Metadata.Uid, ss.Spec.Replicas ?? 1) : null;
            default:
                return null;
        }
    }

    /// <summary>Upstream's <c>buildDisruptedPodMap</c>: evictions still pending, and when to look again.</summary>
    private (Dictionary<string, DateTime> Disrupted, DateTimeOffset? Recheck) DisruptedPods(V1PodDisruptionBudget pdb, List<V1Pod> pods, DateTimeOffset now)
    {
        var result = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        DateTimeOffset? recheck = null;
        foreach (var (name, maybeAt) in pdb.Status.DisruptedPods ?? new Dictionary<string, DateTime?>())
        {
            if (maybeAt is not { } at)
            {
                continue;
            }

            if (pods.FirstOrDefault(p => p.Metadata.Name == name) is not { } pod || pod.Metadata.DeletionTimestamp is not null)
            {
                continue;
            }

            var expectedDeletion = new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) + DeletionTimeout;
            if (expectedDeletion <= now)
            {
                _events.Event(pod, EventRecorder.Warning, "NotDeleted", $"Pod was expected by PDB {pdb.Metadata.NamespaceProperty}/{pdb.Metadata.Name} to be deleted but it wasn't");
                continue;
            }

            result[name] = at;
            if (recheck is null || expectedDeletion < recheck)
            {
                recheck = expectedDeletion;
            }
        }

        return (result, recheck);
    }

    private List<V1Pod> PodsOf(V1PodDisruptionBudget pdb)
    {
        // policy/v1: a null selector selects nothing, an empty one every pod of the namespace.
        var selector = Selectors.From(pdb.Spec.Selector);
        return [.. _pods.List(pdb.Metadata.NamespaceProperty).Where(p => Selectors.Matches(selector, p.Metadata.Labels))];
    }

    private IEnumerable<ReconcileRequest> BudgetsOf(V1Pod pod)
    {
        foreach (var pdb in _pdbs.List(pod.Metadata.NamespaceProperty))
        {
            bool matches;
            try
            {
                matches = Selectors.Matches(Selectors.From(pdb.Spec.Selector), pod.Metadata.Labels);
            }
            catch (Skiff.Api.Selectors.SelectorParseException)
            {
                continue;
            }

            if (matches)
            {
                yield return new ReconcileRequest(pdb.Metadata.NamespaceProperty, pdb.Metadata.Name);
            }
        }
    }

    private IEnumerable<ReconcileRequest> BudgetsIn(string ns) =>
        _pdbs.List(ns).Select(p => new ReconcileRequest(ns, p.Metadata.Name));

    private void SetCondition(V1PodDisruptionBudget pdb, string status, string reason, string message)
    {
        var conditions = pdb.Status.Conditions ??= [];
        var existing = conditions.FirstOrDefault(c => c.Type == "DisruptionAllowed");
        if (existing is null)
        {
            existing = new V1Condition { Type = "DisruptionAllowed", LastTransitionTime = _ctx.TimeProvider.GetUtcNow().UtcDateTime };
            conditions.Add(existing);
        }
        else if (existing.Status != status)
        {
            existing.LastTransitionTime = _ctx.TimeProvider.GetUtcNow().UtcDateTime;
        }

        existing.Status = status;
        existing.Reason = reason;
        existing.Message = message;
        existing.ObservedGeneration = pdb.Status.ObservedGeneration;
    }

    private async Task UpdateStatusAsync(V1PodDisruptionBudget pdb, CancellationToken ct) =>
        await _ctx.Clientset.Resource<V1PodDisruptionBudget, V1PodDisruptionBudgetList>(pdb.Metadata.NamespaceProperty)
            .UpdateStatusAsync(pdb, ct: ct).ConfigureAwait(false);

    /// <summary>Upstream's <c>GetScaledValueFromIntOrPercent</c>, rounding up.</summary>
    internal static int Scaled(IntOrString value, int total)
    {
        var text = value.Value ?? "0";
        if (!text.EndsWith('%'))
        {
            return int.TryParse(text, out var n) ? n : throw new InvalidOperationException($"invalid value for IntOrString: invalid type: string is not a percentage");
        }

        if (!int.TryParse(text[..^1], out var percent))
        {
            throw new InvalidOperationException($"invalid value \"{text}\": strconv.Atoi: parsing \"{text[..^1]}\": invalid syntax");
        }

        return (int)Math.Ceiling(percent * (double)total / 100);
    }

    private static bool IsPercent(IntOrString value) => value.Value?.EndsWith('%') == true;

    private static bool SameMap(IDictionary<string, DateTime?>? a, Dictionary<string, DateTime> b) =>
        (a?.Count ?? 0) == b.Count && b.All(kv => a!.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static string SelectorText(V1LabelSelector? selector) =>
        selector is null ? "<nil>" : string.Join(",", (selector.MatchLabels ?? new Dictionary<string, string>()).Select(kv => $"{kv.Key}={kv.Value}"));

    [LoggerMessage(Level = LogLevel.Warning, Message = "pdb {Namespace}/{Name}: sync failed: {Error}")]
    private partial void LogSyncFailed(string @namespace, string name, string error);
}
