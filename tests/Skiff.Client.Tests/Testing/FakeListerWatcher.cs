using System.Runtime.CompilerServices;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Rest;

namespace Skiff.Client.Tests.Testing;

/// <summary>
/// An in-memory server for one kind: a map of pods with a revision counter; every write goes to the open watch.
/// Tests can end the watch, fail it with 410, or "compact" so that old versions are gone.
/// </summary>
public sealed class FakeListerWatcher : IListerWatcher<V1Pod>
{
    private readonly object _lock = new();
    private readonly SortedDictionary<string, V1Pod> _objects = new(StringComparer.Ordinal);
    private long _rv;
    private Channel<Func<WatchEvent<V1Pod>>>? _watch;

    public List<ListOptions> Lists { get; } = [];

    public List<ListOptions> Watches { get; } = [];

    /// <summary>Completes each time a watch opens.</summary>
    public SemaphoreSlim WatchOpened { get; } = new(0);

    public static V1Pod Pod(string name, string? ns = "default", string? label = null) => new()
    {
        ApiVersion = "v1",
        Kind = "Pod",
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Labels = label is null ? null : new Dictionary<string, string> { ["app"] = label } },
    };

    public V1Pod Write(V1Pod pod, WatchEventType type = WatchEventType.Added, bool silently = false)
    {
        lock (_lock)
        {
            var copy = KubernetesSerialization.DeepCopy(pod);
            copy.Metadata.ResourceVersion = (++_rv).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var key = ObjectKeys.KeyOf(copy);
            if (type == WatchEventType.Deleted)
            {
                _objects.Remove(key);
            }
            else
            {
                _objects[key] = copy;
            }

            if (!silently)
            {
                _watch?.Writer.TryWrite(() => new WatchEvent<V1Pod>(type, copy));
            }

            return copy;
        }
    }

    public void Bookmark()
    {
        lock (_lock)
        {
            var rv = (++_rv).ToString(System.Globalization.CultureInfo.InvariantCulture);
            _watch?.Writer.TryWrite(() => new WatchEvent<V1Pod>(WatchEventType.Bookmark, new V1Pod { Metadata = new V1ObjectMeta { ResourceVersion = rv } }));
        }
    }

    /// <summary>Ends the current watch normally.</summary>
    public void EndWatch()
    {
        lock (_lock)
        {
            _watch?.Writer.TryComplete();
            _watch = null;
        }
    }

    /// <summary>Ends the current watch with 410 Expired, as after a compaction.</summary>
    public void ExpireWatch()
    {
        lock (_lock)
        {
            _watch?.Writer.TryWrite(() => throw new KubernetesApiException(new V1Status { Code = 410, Reason = "Expired", Message = "too old resource version" }));
            _watch = null;
        }
    }

    public Task<ObjectList<V1Pod>> ListAsync(ListOptions options, CancellationToken ct)
    {
        lock (_lock)
        {
            Lists.Add(options);
            return Task.FromResult(new ObjectList<V1Pod>([.. _objects.Values], _rv.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }
    }

    public async IAsyncEnumerable<WatchEvent<V1Pod>> WatchAsync(ListOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        Channel<Func<WatchEvent<V1Pod>>> channel;
        lock (_lock)
        {
            Watches.Add(options);
            channel = Channel.CreateUnbounded<Func<WatchEvent<V1Pod>>>();
            _watch = channel;
        }

        WatchOpened.Release();
        await foreach (var make in channel.Reader.ReadAllAsync(ct))
        {
            yield return make();
        }
    }
}
