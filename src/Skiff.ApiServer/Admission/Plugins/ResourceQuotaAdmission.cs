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
/// quota's revision, re-checked on conflict, so two racing creates cannot both take the last unit; the creates waiting
/// in one namespace are checked and charged as one batch, one write per quota (<see cref="QuotaChargeQueue"/>, upstream's
/// quota evaluator). Dry runs are checked and charge nothing. The quota controller recomputes usage from scratch (and
/// gives back what failed writes charged).
/// </summary>
/// <remarks>
/// As upstream's <c>quotaAccessor</c>, a namespace whose cached list shows no quota is looked up live once (one lookup
/// in flight per namespace) and, when the store has none either, not again for <see cref="LiveTtl"/>: a create in a
/// namespace without quotas costs no store read. A quota the watch cache holds is always seen.
/// </remarks>
public sealed class ResourceQuotaAdmission(AdmissionReader reader, TimeProvider? clock = null) : IValidatingAdmissionPlugin
{
    private const int MaxLiveEntries = 4096;

    /// <summary>How long a live lookup that found no quota is trusted (upstream's <c>liveTTL</c>).</summary>
    public static readonly TimeSpan LiveTtl = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, LiveLookup> _live = new(StringComparer.Ordinal);
    private QuotaChargeQueue? _queue;

    /// <summary>The per-namespace batches of creates to check and charge (made on first use: it calls back into this plugin).</summary>
    private QuotaChargeQueue Queue => Volatile.Read(ref _queue)
        ?? Interlocked.CompareExchange(ref _queue, new QuotaChargeQueue(reader.Storage, (ns, prefix) => NoQuotaLiveAsync(ns, prefix, CancellationToken.None)), null)
        ?? _queue!;

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

        // A namespace without quota (the cache shows none and the store had none within LiveTtl) costs no queueing,
        // and no usage computation (for a pod, parsing every request and limit): looked at first.
        var prefix = AdmissionReader.Prefix("", "resourcequotas", a.Namespace);
        var cached = await reader.Storage.ListAsync(prefix, new Skiff.Storage.ListOptions { NotOlderThan = 0 }, ct).ConfigureAwait(false);
        if (cached.Items.Count == 0 && await NoQuotaLiveAsync(a.Namespace, prefix, ct).ConfigureAwait(false))
        {
            return;
        }

        var usage = QuotaUsage.Of(a.Group, a.Resource, obj);
        if (usage.Count == 0)
        {
            return;
        }

        await Queue.ChargeAsync(a.Namespace, new QuotaChargeQueue.Waiter(a, obj, usage), ct).ConfigureAwait(false);
    }

    /// <summary>True when a live lookup (shared, at most <see cref="LiveTtl"/> old) found no quota in <paramref name="ns"/>.</summary>
    private async Task<bool> NoQuotaLiveAsync(string ns, string prefix, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        if (_live.Count > MaxLiveEntries)
        {
            _live.Clear();
        }

        var entry = _live.TryGetValue(ns, out var known) && known.Expiry > now
            ? known // the common case: no closures or delegates per create
            : _live.AddOrUpdate(ns, _ => NewLookup(prefix, now), (_, old) => old.Expiry > now ? old : NewLookup(prefix, now));
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
}
