using System.Text.Json.Nodes;
using Skiff.Api.Quota;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's <c>ResourceQuota</c> plugin (<c>apiserver/pkg/admission/plugin/resourcequota</c>), last in the chain:
/// a create is checked against every ResourceQuota of its namespace whose scopes select it and which limits something
/// the object uses (<see cref="QuotaUsage"/>). A quota whose status the controller has not computed yet refuses with
/// <c>status unknown for quota: NAME, resources: …</c>; a pod missing a request or limit a quota needs gets
/// <c>failed quota: NAME: must specify …</c>; going over is 403 <c>exceeded quota: NAME, requested: …, used: …,
/// limited: …</c>. Otherwise the usage is charged to each quota's <c>status.used</c> with a compare-and-swap on the
/// quota's revision, re-checked on conflict, so two racing creates cannot both take the last unit. Dry runs charge
/// nothing. The quota controller recomputes usage from scratch (and gives back what failed writes charged).
/// </summary>
/// <remarks>
/// As upstream's <c>quotaAccessor</c>, a namespace whose cached list shows no quota is looked up live once (one lookup
/// in flight per namespace) and, when the store has none either, not again for <see cref="LiveTtl"/>: a create in a
/// namespace without quotas costs no store read. A quota the watch cache holds is always seen.
/// </remarks>
public sealed class ResourceQuotaAdmission(AdmissionReader reader, TimeProvider? clock = null) : IValidatingAdmissionPlugin
{
    private const int MaxAttempts = 16;
    private const int MaxLiveEntries = 4096;

    /// <summary>How long a live lookup that found no quota is trusted (upstream's <c>liveTTL</c>).</summary>
    public static readonly TimeSpan LiveTtl = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, LiveLookup> _live = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public string Name => "ResourceQuota";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => operation == AdmissionOperation.Create;

    /// <inheritdoc/>
    public async ValueTask ValidateAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (a.Object is not { } obj || a.Namespace.Length == 0 || a.Subresource.Length > 0)
        {
            return;
        }

        var usage = QuotaUsage.Of(a.Group, a.Resource, obj);
        if (usage.Count == 0)
        {
            return;
        }

        var prefix = AdmissionReader.Prefix("", "resourcequotas", a.Namespace);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            // The first attempt reads the watch cache (upstream reads its informer); no quota there, a refusal or a
            // conflict is confirmed against the store before it counts.
            var cached = attempt == 0;
            var listed = await reader.Storage.ListAsync(prefix, cached ? new Skiff.Storage.ListOptions { NotOlderThan = 0 } : Skiff.Storage.ListOptions.Latest, ct)
                .ConfigureAwait(false);
            if (listed.Items.Count == 0)
            {
                if (cached && !await NoQuotaLiveAsync(a.Namespace, prefix, ct).ConfigureAwait(false))
                {
                    continue;
                }

                return;
            }

            List<(Skiff.Storage.KeyValue Kv, JsonObject Quota)> charges;
            try
            {
                charges = Evaluate(a, obj, usage, listed.Items);
            }
            catch (Skiff.Api.Errors.StatusException) when (cached)
            {
                continue;
            }

            if (a.DryRun || charges.Count == 0)
            {
                return;
            }

            if (await ChargeAsync(charges, ct).ConfigureAwait(false))
            {
                return;
            }
        }

        throw Skiff.Api.Errors.StatusErrors.Conflict("", "resourcequotas", "", "too many conflicts charging quota, please retry");
    }

    /// <summary>True when a live lookup (shared, at most <see cref="LiveTtl"/> old) found no quota in <paramref name="ns"/>.</summary>
    private async Task<bool> NoQuotaLiveAsync(string ns, string prefix, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        if (_live.Count > MaxLiveEntries)
        {
            _live.Clear();
        }

        var entry = _live.AddOrUpdate(ns, _ => NewLookup(prefix, now), (_, old) => old.Expiry > now ? old : NewLookup(prefix, now));
        try
        {
            return await entry.Empty.Value.WaitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            _live.TryRemove(new KeyValuePair<string, LiveLookup>(ns, entry));
            return false;
        }
    }

    private LiveLookup NewLookup(string prefix, DateTimeOffset now) => new(now + LiveTtl, new Lazy<Task<bool>>(async () =>
    {
        var live = await reader.Storage.ListAsync(prefix, Skiff.Storage.ListOptions.Latest, CancellationToken.None).ConfigureAwait(false);
        return live.Items.Count == 0;
    }));

    /// <summary>A live lookup of one namespace's quotas: whether it found none, trusted until <paramref name="Expiry"/>.</summary>
    private sealed record LiveLookup(DateTimeOffset Expiry, Lazy<Task<bool>> Empty);

    /// <summary>The charged quotas for <paramref name="usage"/>, or a 403 when a quota refuses.</summary>
    private static List<(Skiff.Storage.KeyValue Kv, JsonObject Quota)> Evaluate(AdmissionAttributes a, JsonObject obj,
        Dictionary<string, QuotaQuantity> usage, IReadOnlyList<Skiff.Storage.KeyValue> items)
    {
        var charges = new List<(Skiff.Storage.KeyValue Kv, JsonObject Quota)>();
        foreach (var kv in items)
        {
            var quota = GenericStore.Decode(kv);
            var hard = QuotaUsage.FromJson(quota["spec"]?["hard"]);
            var interesting = usage.Keys.Where(hard.ContainsKey).ToList();
            if (interesting.Count == 0 || !QuotaUsage.ScopesMatch(quota, a.Group, a.Resource, obj))
            {
                continue;
            }

            var quotaName = Meta.Name(quota);
            var statusHard = QuotaUsage.FromJson(quota["status"]?["hard"]);
            var used = QuotaUsage.FromJson(quota["status"]?["used"]);
            var unknown = interesting.Where(r => !statusHard.ContainsKey(r) || !used.ContainsKey(r)).Order(StringComparer.Ordinal).ToList();
            if (unknown.Count > 0)
            {
                throw AdmissionErrors.Forbidden(a, $"status unknown for quota: {quotaName}, resources: {string.Join(",", unknown)}");
            }

            if (a.Group.Length == 0 && a.Resource == "pods" && QuotaUsage.MissingPodResources(obj, hard.Keys) is { Count: > 0 } missing)
            {
                throw AdmissionErrors.Forbidden(a, $"failed quota: {quotaName}: must specify {string.Join(",", missing)}");
            }

            var over = interesting.Where(r => (used[r] + usage[r]).Value > hard[r].Value).ToList();
            if (over.Count > 0)
            {
                throw AdmissionErrors.Forbidden(a,
                    $"exceeded quota: {quotaName}, requested: {QuotaUsage.PrettyPrint(over.Select(r => KeyValuePair.Create(r, usage[r])))}, " +
                    $"used: {QuotaUsage.PrettyPrint(over.Select(r => KeyValuePair.Create(r, used[r])))}, " +
                    $"limited: {QuotaUsage.PrettyPrint(over.Select(r => KeyValuePair.Create(r, hard[r])))}");
            }

            var next = new Dictionary<string, QuotaQuantity>(used, StringComparer.Ordinal);
            foreach (var r in interesting)
            {
                next[r] = used[r] + usage[r];
            }

            var charged = (JsonObject)quota.DeepClone();
            ((JsonObject)charged["status"]!)["used"] = QuotaUsage.ToJson(next);
            charges.Add((kv, charged));
        }

        return charges;
    }

    /// <summary>Writes each charged quota if it is unchanged since it was read; false (retry) on the first conflict.</summary>
    private async Task<bool> ChargeAsync(List<(Skiff.Storage.KeyValue Kv, JsonObject Quota)> charges, CancellationToken ct)
    {
        foreach (var (kv, quota) in charges)
        {
            var result = await reader.Storage.CompareAndSwapAsync(kv.Key, kv.ModRevision, GenericStore.Encode(quota), ct).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                return false;
            }
        }

        return true;
    }
}
