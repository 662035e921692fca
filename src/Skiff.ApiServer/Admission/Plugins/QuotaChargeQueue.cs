using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.Api.Quota;
using Skiff.ApiServer.Store;
using Skiff.Storage;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's quota evaluator (<c>apiserver/pkg/admission/plugin/resourcequota/controller.go</c>): the creates waiting
/// for quota in one namespace are checked together and charged with one compare-and-swap per quota, instead of one per
/// create on a single contended object. One drain per namespace runs at a time; whatever arrives while it works is the
/// next batch. A batch is checked in arrival order against running totals, so the creates of one batch can never
/// together exceed a limit; a dry run is checked but adds nothing; a refusal seen on the watch cache's copy is
/// confirmed against the store before it counts, and a lost compare-and-swap re-reads the store and checks again.
/// As upstream, what a batch charged stays charged when the create then fails; the quota controller recomputes usage.
/// </summary>
internal sealed class QuotaChargeQueue(IStorage storage, Func<string, string, Task<bool>> noQuotaLive)
{
    private const int MaxAttempts = 16;

    private const int MaxKnown = 4096;

    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <summary>
    /// The newest version of each quota this queue has read or written, parsed: a batch that finds the watch cache
    /// behind its own last charge starts from what it wrote (no lost compare-and-swap against its own write, no decode).
    /// </summary>
    private readonly ConcurrentDictionary<string, QuotaState> _known = new(StringComparer.Ordinal);

    /// <summary>One create waiting for quota: its attributes, object and usage, completed with null (admitted) or the refusal.</summary>
    internal sealed class Waiter(AdmissionAttributes attributes, JsonObject obj, Dictionary<string, QuotaQuantity> usage)
    {
        public AdmissionAttributes Attributes => attributes;

        public JsonObject Object => obj;

        public Dictionary<string, QuotaQuantity> Usage => usage;

        public TaskCompletionSource<Exception?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>How many creates of <paramref name="ns"/> wait for the next batch (not counting the one being charged).</summary>
    public int Waiting(string ns)
    {
        if (!_lanes.TryGetValue(ns, out var lane))
        {
            return 0;
        }

        lock (lane)
        {
            return lane.Pending.Count;
        }
    }

    /// <summary>Queues <paramref name="waiter"/> in its namespace's lane; completes when its batch has been checked and charged.</summary>
    public async Task ChargeAsync(string ns, Waiter waiter, CancellationToken ct)
    {
        while (true)
        {
            var lane = _lanes.GetOrAdd(ns, static _ => new Lane());
            bool lead;
            lock (lane)
            {
                if (lane.Retired)
                {
                    continue;
                }

                lane.Pending.Add(waiter);
                lead = !lane.Draining;
                lane.Draining = true;
            }

            if (lead)
            {
                // The create that found the lane idle checks its own batch (usually just itself) on its own flow and
                // hands what queued meanwhile to a pooled drain.
                await DrainAsync(ns, lane, handOff: true).ConfigureAwait(false);
            }

            break;
        }

        var done = waiter.Done.Task;
        if ((done.IsCompleted ? done.Result : await done.WaitAsync(ct).ConfigureAwait(false)) is { } refused)
        {
            throw refused;
        }
    }

    /// <summary>
    /// Checks and charges batches of <paramref name="lane"/> until none is waiting, then retires the lane; with
    /// <paramref name="handOff"/>, only the first batch here and the rest on a pooled task.
    /// </summary>
    private async Task DrainAsync(string ns, Lane lane, bool handOff)
    {
        for (var first = true; ; first = false)
        {
            List<Waiter> batch;
            lock (lane)
            {
                if (lane.Pending.Count == 0)
                {
                    lane.Draining = false;
                    lane.Retired = true;
                    _lanes.TryRemove(new KeyValuePair<string, Lane>(ns, lane));
                    return;
                }

                if (handOff && !first)
                {
                    _ = Task.Run(() => DrainAsync(ns, lane, handOff: false), CancellationToken.None);
                    return;
                }

                batch = lane.Pending;
                lane.Pending = [];
            }

            AdmissionProfile.Count("quota batch", batch.Count);
            try
            {
                await CheckBatchAsync(ns, batch).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                foreach (var w in batch)
                {
                    w.Done.TrySetResult(e);
                }
            }
        }
    }

    private async Task CheckBatchAsync(string ns, List<Waiter> batch)
    {
        var prefix = AdmissionReader.Prefix("", "resourcequotas", ns);
        var results = new Exception?[batch.Count];
        var settled = new bool[batch.Count];
        HashSet<string>? only = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            // The first attempt reads the watch cache (upstream reads its informer); a refusal or a conflict is
            // confirmed against the store, and a retry after a lost compare-and-swap re-checks only the quotas whose
            // write was lost (the others are charged already), as upstream's checkQuotas does.
            var cached = attempt == 0;
            var listed = await storage.ListAsync(prefix, cached ? new ListOptions { NotOlderThan = 0 } : ListOptions.Latest, CancellationToken.None).ConfigureAwait(false);
            var quotas = new List<RunningQuota>(listed.Items.Count);
            foreach (var kv in listed.Items)
            {
                var state = StateOf(kv);
                if (only is null || only.Contains(state.Name))
                {
                    quotas.Add(new RunningQuota(state));
                }
            }

            if (quotas.Count == 0)
            {
                if (cached && !await noQuotaLive(ns, prefix).ConfigureAwait(false))
                {
                    continue;
                }

                Complete(batch, results); // no quota (any more): nothing to charge
                return;
            }

            var refusedOnCache = false;
            for (var i = 0; i < batch.Count; i++)
            {
                if (settled[i])
                {
                    continue;
                }

                try
                {
                    Check(quotas, batch[i]);
                }
                catch (StatusException e)
                {
                    if (cached)
                    {
                        refusedOnCache = true;
                        break;
                    }

                    results[i] = e;
                    settled[i] = true;
                }
            }

            if (refusedOnCache)
            {
                continue;
            }

            var lost = await WriteAsync(quotas).ConfigureAwait(false);
            if (lost is null)
            {
                Complete(batch, results);
                return;
            }

            only = lost;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            results[i] ??= StatusErrors.Conflict("", "resourcequotas", "", "too many conflicts charging quota, please retry");
        }

        Complete(batch, results);
    }

    private static void Complete(List<Waiter> batch, Exception?[] results)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Done.TrySetResult(results[i]);
        }
    }

    /// <summary>
    /// Checks one create against the running totals of <paramref name="quotas"/> and adds its usage to them (unless it
    /// is a dry run); throws upstream's 403 when a quota refuses, leaving the totals as they were.
    /// </summary>
    private static void Check(List<RunningQuota> quotas, Waiter w)
    {
        var a = w.Attributes;
        List<(RunningQuota Quota, List<string> Resources)>? charged = null;
        foreach (var q in quotas)
        {
            var interesting = new List<string>();
            foreach (var r in w.Usage.Keys)
            {
                if (q.Hard.ContainsKey(r))
                {
                    interesting.Add(r);
                }
            }

            if (interesting.Count == 0 || !QuotaUsage.ScopesMatch(q.Object, a.Group, a.Resource, w.Object))
            {
                continue;
            }

            if (!AllKnown(q, interesting))
            {
                var unknown = interesting.Where(r => !q.StatusHard.ContainsKey(r) || !q.Used.ContainsKey(r)).Order(StringComparer.Ordinal);
                throw AdmissionErrors.Forbidden(a, $"status unknown for quota: {q.Name}, resources: {string.Join(",", unknown)}");
            }

            if (a.Group.Length == 0 && a.Resource == "pods" && QuotaUsage.MissingPodResources(w.Object, q.Hard.Keys) is { Count: > 0 } missing)
            {
                throw AdmissionErrors.Forbidden(a, $"failed quota: {q.Name}: must specify {string.Join(",", missing)}");
            }

            if (AnyOver(q, w, interesting))
            {
                var over = interesting.Where(r => (q.Used[r] + w.Usage[r]).Value > q.Hard[r].Value).ToList();
                throw AdmissionErrors.Forbidden(a,
                    $"exceeded quota: {q.Name}, requested: {QuotaUsage.PrettyPrint(over.Select(r => KeyValuePair.Create(r, w.Usage[r])))}, " +
                    $"used: {QuotaUsage.PrettyPrint(over.Select(r => KeyValuePair.Create(r, q.Used[r])))}, " +
                    $"limited: {QuotaUsage.PrettyPrint(over.Select(r => KeyValuePair.Create(r, q.Hard[r])))}");
            }

            (charged ??= []).Add((q, interesting));
        }

        if (charged is null || a.DryRun)
        {
            return;
        }

        foreach (var (q, resources) in charged)
        {
            foreach (var r in resources)
            {
                q.Used[r] += w.Usage[r];
            }

            q.Changed = true;
        }
    }

    /// <summary>Whether the quota's status states every one of <paramref name="resources"/> (limit and usage).</summary>
    private static bool AllKnown(RunningQuota q, List<string> resources)
    {
        foreach (var r in resources)
        {
            if (!q.StatusHard.ContainsKey(r) || !q.Used.ContainsKey(r))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether charging <paramref name="w"/> would take one of <paramref name="resources"/> past its limit.</summary>
    private static bool AnyOver(RunningQuota q, Waiter w, List<string> resources)
    {
        foreach (var r in resources)
        {
            if ((q.Used[r] + w.Usage[r]).Value > q.Hard[r].Value)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Writes every changed quota if unchanged since read; the names of those whose write was lost, or null.</summary>
    private async Task<HashSet<string>?> WriteAsync(List<RunningQuota> quotas)
    {
        HashSet<string>? lost = null;
        foreach (var q in quotas)
        {
            if (!q.Changed)
            {
                continue;
            }

            // The state's object is this queue's own (decoded here, or written here) and only one drain per namespace
            // runs: it is updated in place; a lost write forgets it.
            var s = q.State;
            var updated = s.Object;
            ((JsonObject)updated["status"]!)["used"] = QuotaUsage.ToJson(q.Used);
            var result = await storage.CompareAndSwapAsync(s.Kv.Key, s.Kv.ModRevision, GenericStore.EncodeOwned(updated), CancellationToken.None).ConfigureAwait(false);
            if (result.Succeeded && result.Current is { } written)
            {
                Meta.Of(updated)["resourceVersion"] = written.ModRevision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Remember(new QuotaState(written, updated, s.Name, s.Hard, s.StatusHard, q.Used));
            }
            else
            {
                _known.TryRemove(s.Kv.Key, out _);
                (lost ??= new HashSet<string>(StringComparer.Ordinal)).Add(s.Name);
            }
        }

        return lost;
    }

    /// <summary>The creates of one namespace waiting to be checked, and whether a drain is working on them.</summary>
    private sealed class Lane
    {
        public List<Waiter> Pending = [];
        public bool Draining;
        public bool Retired;
    }

    /// <summary>
    /// The parsed state of <paramref name="kv"/>, or the newer one this queue remembers for its key (its own charge the
    /// watch cache has not delivered yet).
    /// </summary>
    private QuotaState StateOf(KeyValue kv)
    {
        if (_known.TryGetValue(kv.Key, out var known) && known.Kv.ModRevision >= kv.ModRevision)
        {
            return known;
        }

        var obj = GenericStore.Decode(kv);
        var state = new QuotaState(kv, obj, Meta.Name(obj), QuotaUsage.FromJson(obj["spec"]?["hard"]),
            QuotaUsage.FromJson(obj["status"]?["hard"]), QuotaUsage.FromJson(obj["status"]?["used"]));
        Remember(state);
        return state;
    }

    private void Remember(QuotaState state)
    {
        if (_known.Count >= MaxKnown)
        {
            _known.Clear();
        }

        _known[state.Kv.Key] = state;
    }

    /// <summary>One version of a quota, parsed (never changed once made).</summary>
    private sealed record QuotaState(
        KeyValue Kv,
        JsonObject Object,
        string Name,
        IReadOnlyDictionary<string, QuotaQuantity> Hard,
        IReadOnlyDictionary<string, QuotaQuantity> StatusHard,
        IReadOnlyDictionary<string, QuotaQuantity> Used);

    /// <summary>One quota as a batch sees it: its state, and the usage the batch has charged so far.</summary>
    private sealed class RunningQuota(QuotaState state)
    {
        public QuotaState State => state;

        public JsonObject Object => state.Object;

        public string Name => state.Name;

        public IReadOnlyDictionary<string, QuotaQuantity> Hard => state.Hard;

        public IReadOnlyDictionary<string, QuotaQuantity> StatusHard => state.StatusHard;

        public Dictionary<string, QuotaQuantity> Used { get; } = new(state.Used, StringComparer.Ordinal);

        public bool Changed { get; set; }
    }
}
