using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Authorization;
using Skiff.Storage;

namespace Skiff.ApiServer.Admission;

/// <summary>Helpers over the snapshots of <see cref="ConfigurationCache{TSnapshot}"/>.</summary>
public static class ConfigurationCache
{
    /// <summary>
    /// A plugin's <c>Handles</c> on its configuration snapshot: true until the first snapshot is loaded, then whether it
    /// holds anything — so while nothing is configured the chain skips the plugin and a request no other plugin looks at
    /// (a delete, a connect) builds no attributes.
    /// </summary>
    public static bool MayMatch<T>(ValueTask<IReadOnlyList<T>> current) => !current.IsCompletedSuccessfully || current.Result.Count > 0;

    /// <summary>
    /// What a configuration-driven plugin (webhooks, validating admission policies) evaluates for a request: the
    /// current snapshot, or nothing for an admissionregistration.k8s.io object — webhook configurations, policies and
    /// bindings are never sent to webhooks nor evaluated by policies, as upstream.
    /// </summary>
    public static async ValueTask<IReadOnlyList<T>> ForRequestAsync<T>(Func<CancellationToken, ValueTask<IReadOnlyList<T>>> snapshot, AdmissionAttributes a, CancellationToken ct) =>
        a.Group == "admissionregistration.k8s.io" ? [] : await snapshot(ct).ConfigureAwait(false);
}

/// <summary>
/// Admission configuration objects kept like upstream's informer-backed configuration managers (webhook
/// configurations, admission policies and bindings): one <see cref="StorageFollower"/> per storage prefix lists and
/// then watches the objects (started on first use), and the snapshot the plugin works from is rebuilt by
/// <c>build</c> only after something changed. <c>build</c> gets the objects of each prefix, in prefix order.
/// </summary>
/// <typeparam name="TSnapshot">What the plugin works from (the parsed webhooks, the compiled policies).</typeparam>
public sealed class ConfigurationCache<TSnapshot>
    where TSnapshot : class
{
    private readonly ConcurrentDictionary<string, JsonObject>[] _objects;
    private readonly Func<IReadOnlyList<IReadOnlyCollection<JsonObject>>, TSnapshot> _build;
    private readonly Lazy<Task> _started;
    private long _version;
    private volatile Snapshot? _snapshot;

    /// <summary>A cache of the objects under <paramref name="prefixes"/> in <paramref name="storage"/>.</summary>
    public ConfigurationCache(IStorage storage, IReadOnlyList<string> prefixes, Func<IReadOnlyList<IReadOnlyCollection<JsonObject>>, TSnapshot> build)
    {
        _build = build;
        _objects = prefixes.Select(_ => new ConcurrentDictionary<string, JsonObject>(StringComparer.Ordinal)).ToArray();
        var followers = prefixes.Select((prefix, i) => Follow(storage, prefix, _objects[i])).ToList();
        _started = new Lazy<Task>(() =>
        {
            foreach (var follower in followers)
            {
                _ = Task.Run(() => follower.RunAsync(CancellationToken.None));
            }

            return Task.WhenAll(followers.Select(f => f.Synced));
        });
    }

    /// <summary>The current snapshot (waits for the first lists on first use).</summary>
    public async ValueTask<TSnapshot> GetAsync(CancellationToken ct)
    {
        var started = _started.Value;
        if (!started.IsCompleted)
        {
            await started.WaitAsync(ct).ConfigureAwait(false);
        }

        var version = Interlocked.Read(ref _version);
        if (_snapshot is { } s && s.Version == version)
        {
            return s.Value;
        }

        var value = _build(_objects.Select(o => (IReadOnlyCollection<JsonObject>)o.Values.ToList()).ToList());
        _snapshot = new Snapshot(version, value);
        return value;
    }

    private StorageFollower Follow(IStorage storage, string prefix, ConcurrentDictionary<string, JsonObject> objects)
    {
        var follower = new StorageFollower(storage, prefix);
        follower.Reset += all =>
        {
            objects.Clear();
            foreach (var (key, obj) in all)
            {
                objects[key] = obj;
            }

            Interlocked.Increment(ref _version);
        };
        follower.Changed += (key, obj) =>
        {
            if (obj is null)
            {
                objects.TryRemove(key, out _);
            }
            else
            {
                objects[key] = obj;
            }

            Interlocked.Increment(ref _version);
        };
        return follower;
    }

    private sealed record Snapshot(long Version, TSnapshot Value);
}
