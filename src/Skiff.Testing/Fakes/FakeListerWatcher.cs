using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using k8s;
using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Rest;

namespace Skiff.Testing.Fakes;

/// <summary>
/// An in-memory API server for one kind, to drive an informer (<c>new SharedIndexInformer&lt;T&gt;(fake)</c>) or a
/// reflector in a unit test without a server: a map of objects with a revision counter; every write (<see cref="Add"/>,
/// <see cref="Update"/>, <see cref="Delete"/>) bumps the resourceVersion and goes to the open watch. Tests can also send
/// bookmarks, end the watch, fail it with 410 Expired (the reflector then relists), and see every list and watch the
/// client made. Thread-safe.
/// </summary>
public sealed class FakeListerWatcher<T> : IListerWatcher<T>
    where T : class, IKubernetesObject<V1ObjectMeta>, new()
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<string, T> _objects = new(StringComparer.Ordinal);
    private readonly List<ListOptions> _lists = [];
    private readonly List<ListOptions> _watches = [];
    private readonly SemaphoreSlim _watchOpened = new(0);
    private long _rv;
    private Channel<Func<WatchEvent<T>>>? _watch;

    /// <summary>Creates an empty fake whose objects are <paramref name="initial"/> (each written as an Added event before any watch opens).</summary>
    public FakeListerWatcher(params T[] initial)
    {
        foreach (var o in initial)
        {
            Add(o);
        }
    }

    /// <summary>The options of every list call so far.</summary>
    public IReadOnlyList<ListOptions> Lists
    {
        get
        {
            lock (_lock)
            {
                return [.. _lists];
            }
        }
    }

    /// <summary>The options of every watch call so far.</summary>
    public IReadOnlyList<ListOptions> Watches
    {
        get
        {
            lock (_lock)
            {
                return [.. _watches];
            }
        }
    }

    /// <summary>The current resourceVersion (the last write's).</summary>
    public string ResourceVersion
    {
        get
        {
            lock (_lock)
            {
                return _rv.ToString(CultureInfo.InvariantCulture);
            }
        }
    }

    /// <summary>Stores <paramref name="obj"/> (a copy, with the next resourceVersion) and sends an Added event; returns the stored copy.</summary>
    public T Add(T obj) => Write(obj, WatchEventType.Added);

    /// <summary>Stores <paramref name="obj"/> and sends a Modified event; returns the stored copy.</summary>
    public T Update(T obj) => Write(obj, WatchEventType.Modified);

    /// <summary>Removes <paramref name="obj"/> and sends a Deleted event carrying it; returns the deleted copy.</summary>
    public T Delete(T obj) => Write(obj, WatchEventType.Deleted);

    /// <summary>
    /// Writes <paramref name="obj"/> as <paramref name="type"/>; with <paramref name="silently"/> the watch does not see
    /// it (as when a watch misses an event that a relist then finds).
    /// </summary>
    public T Write(T obj, WatchEventType type, bool silently = false)
    {
        ArgumentNullException.ThrowIfNull(obj);
        lock (_lock)
        {
            var copy = KubernetesSerialization.DeepCopy(obj);
            copy.Metadata ??= new V1ObjectMeta();
            copy.Metadata.ResourceVersion = (++_rv).ToString(CultureInfo.InvariantCulture);
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
                _watch?.Writer.TryWrite(() => new WatchEvent<T>(type, copy));
            }

            return copy;
        }
    }

    /// <summary>Sends a BOOKMARK with the next resourceVersion.</summary>
    public void Bookmark()
    {
        lock (_lock)
        {
            var rv = (++_rv).ToString(CultureInfo.InvariantCulture);
            _watch?.Writer.TryWrite(() => new WatchEvent<T>(WatchEventType.Bookmark, new T { Metadata = new V1ObjectMeta { ResourceVersion = rv } }));
        }
    }

    /// <summary>Ends the open watch normally (the reflector watches again from its last resourceVersion).</summary>
    public void EndWatch()
    {
        lock (_lock)
        {
            _watch?.Writer.TryComplete();
            _watch = null;
        }
    }

    /// <summary>Ends the open watch with 410 Expired, as after a compaction (the reflector relists).</summary>
    public void ExpireWatch()
    {
        lock (_lock)
        {
            _watch?.Writer.TryWrite(() => throw new KubernetesApiException(new V1Status { Code = 410, Reason = "Expired", Message = "too old resource version" }));
            _watch = null;
        }
    }

    /// <summary>Completes when a watch has opened (one call consumes one opening), or throws after <paramref name="timeout"/> (default 30 s).</summary>
    public async Task WaitForWatchAsync(TimeSpan? timeout = null, CancellationToken ct = default)
    {
        if (!await _watchOpened.WaitAsync(timeout ?? TimeSpan.FromSeconds(30), ct).ConfigureAwait(false))
        {
            throw new TimeoutException("no watch opened in time");
        }
    }

    /// <inheritdoc/>
    public Task<ObjectList<T>> ListAsync(ListOptions options, CancellationToken ct)
    {
        lock (_lock)
        {
            _lists.Add(options);
            return Task.FromResult(new ObjectList<T>([.. _objects.Values], _rv.ToString(CultureInfo.InvariantCulture)));
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<WatchEvent<T>> WatchAsync(ListOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        Channel<Func<WatchEvent<T>>> channel;
        lock (_lock)
        {
            _watches.Add(options);
            channel = Channel.CreateUnbounded<Func<WatchEvent<T>>>();
            _watch = channel;
        }

        _watchOpened.Release();
        await foreach (var make in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
        {
            yield return make();
        }
    }
}
