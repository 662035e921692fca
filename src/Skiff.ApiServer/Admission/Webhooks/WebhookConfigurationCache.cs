using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Authorization;
using Skiff.Storage;

namespace Skiff.ApiServer.Admission.Webhooks;

/// <summary>
/// The admission webhooks of one kind (mutating or validating), kept like upstream's informer-backed configuration
/// manager: a <see cref="StorageFollower"/> lists and then watches the configurations (started on first use, ending
/// when the store is disposed), and the parsed webhooks are rebuilt only after a configuration changed.
/// Configurations are sorted by name and webhooks keep their order.
/// </summary>
public sealed class WebhookConfigurationCache
{
    private readonly bool _mutating;
    private readonly StorageFollower _follower;
    private readonly ConcurrentDictionary<string, JsonObject> _objects = new(StringComparer.Ordinal);
    private readonly Lazy<Task> _started;
    private long _version;
    private volatile Snapshot? _snapshot;

    /// <summary>A cache of the configurations in <paramref name="storage"/>.</summary>
    public WebhookConfigurationCache(IStorage storage, bool mutating)
    {
        _mutating = mutating;
        Prefix = mutating
            ? "/registry/admissionregistration.k8s.io/mutatingwebhookconfigurations/"
            : "/registry/admissionregistration.k8s.io/validatingwebhookconfigurations/";
        _follower = new StorageFollower(storage, Prefix);
        _follower.Reset += all =>
        {
            _objects.Clear();
            foreach (var (key, obj) in all)
            {
                _objects[key] = obj;
            }

            Interlocked.Increment(ref _version);
        };
        _follower.Changed += (key, obj) =>
        {
            if (obj is null)
            {
                _objects.TryRemove(key, out _);
            }
            else
            {
                _objects[key] = obj;
            }

            Interlocked.Increment(ref _version);
        };
        _started = new Lazy<Task>(() =>
        {
            _ = Task.Run(() => _follower.RunAsync(CancellationToken.None));
            return _follower.Synced;
        });
    }

    /// <summary>The storage prefix of the configurations.</summary>
    public string Prefix { get; }

    /// <summary>The current webhooks, in call order (waits for the first list on first use).</summary>
    public async ValueTask<IReadOnlyList<AdmissionWebhook>> GetAsync(CancellationToken ct)
    {
        var started = _started.Value;
        if (!started.IsCompleted)
        {
            await started.WaitAsync(ct).ConfigureAwait(false);
        }

        var version = Interlocked.Read(ref _version);
        if (_snapshot is { } s && s.Version == version)
        {
            return s.Webhooks;
        }

        var webhooks = _objects.Values
            .OrderBy(Registry.JsonPath.Name, StringComparer.Ordinal)
            .SelectMany(c => AdmissionWebhook.FromConfiguration(c, _mutating))
            .ToList();
        _snapshot = new Snapshot(version, webhooks);
        return webhooks;
    }

    private sealed record Snapshot(long Version, IReadOnlyList<AdmissionWebhook> Webhooks);
}
