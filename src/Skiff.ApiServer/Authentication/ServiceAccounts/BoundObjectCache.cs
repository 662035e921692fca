using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Skiff.ApiServer.Store;
using Skiff.Storage;

namespace Skiff.ApiServer.Authentication.ServiceAccounts;

/// <summary>
/// The objects a service-account token names (service accounts, pods, secrets, nodes), read through from the store
/// and kept until a watch on their prefix reports a change (upstream reads them from informers), so authenticating a
/// token does not read storage on every request. A missing object is never cached. Entries also expire after
/// <see cref="MaxAge"/>, which bounds staleness should the watch fall behind. While the watches are not running
/// every lookup reads the store.
/// </summary>
public sealed partial class BoundObjectCache : IAsyncDisposable
{
    /// <summary>The longest an entry is trusted without a re-read.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(1);

    private readonly IStorage _storage;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly string[] _prefixes;
    private readonly ConcurrentDictionary<string, (JsonObject Obj, DateTimeOffset Loaded)> _entries = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _watches = [];
    private readonly long[] _changes;
    private int _running;

    /// <summary>Creates a cache over <paramref name="storage"/> for keys under <paramref name="prefixes"/>; call <see cref="Start"/>.</summary>
    public BoundObjectCache(IStorage storage, IEnumerable<string> prefixes, TimeProvider clock, ILogger logger)
    {
        _storage = storage;
        _clock = clock;
        _logger = logger;
        _prefixes = prefixes.ToArray();
        _changes = new long[_prefixes.Length];
    }

    /// <summary>The number of cached objects.</summary>
    public int Count => _entries.Count;

    /// <summary>Starts one watch per prefix (each restarts after a failure, clearing what it guards).</summary>
    public void Start()
    {
        for (var i = 0; i < _prefixes.Length; i++)
        {
            var index = i;
            _watches.Add(Task.Run(() => WatchLoopAsync(index, _stop.Token)));
        }
    }

    /// <summary>The object stored at <paramref name="key"/>, or null when it does not exist.</summary>
    public async Task<JsonObject?> GetAsync(string key, CancellationToken ct)
    {
        var now = _clock.GetUtcNow();
        if (_entries.TryGetValue(key, out var e) && now - e.Loaded < MaxAge)
        {
            return e.Obj;
        }

        var index = Array.FindIndex(_prefixes, p => key.StartsWith(p, StringComparison.Ordinal));
        var seen = index < 0 ? 0 : Interlocked.Read(ref _changes[index]);
        var kv = await _storage.GetAsync(key, 0, ct).ConfigureAwait(false);
        if (kv is null)
        {
            _entries.TryRemove(key, out _);
            return null;
        }

        var obj = GenericStore.Decode(kv);
        // Cached only when no change under the prefix raced with the read (else the entry could outlive its object).
        if (index >= 0 && Volatile.Read(ref _running) == _prefixes.Length)
        {
            _entries[key] = (obj, now);
            if (Interlocked.Read(ref _changes[index]) != seen)
            {
                _entries.TryRemove(key, out _);
            }
        }

        return obj;
    }

    private async Task WatchLoopAsync(int index, CancellationToken ct)
    {
        var prefix = _prefixes[index];
        while (!ct.IsCancellationRequested)
        {
            var counted = false;
            try
            {
                var from = await _storage.GetCurrentRevisionAsync(ct).ConfigureAwait(false);
                Interlocked.Increment(ref _changes[index]);
                Evict(prefix);
                Interlocked.Increment(ref _running);
                counted = true;
                await foreach (var ev in _storage.WatchAsync(prefix, new WatchOptions(from), ct).ConfigureAwait(false))
                {
                    if (ev.Kv is { } kv)
                    {
                        Interlocked.Increment(ref _changes[index]);
                        _entries.TryRemove(kv.Key, out _);
                    }
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogWatchFailed(_logger, prefix, ex.Message);
            }
            finally
            {
                if (counted)
                {
                    Interlocked.Decrement(ref _running);
                }

                Interlocked.Increment(ref _changes[index]);
                Evict(prefix);
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _clock, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Evict(string prefix)
    {
        foreach (var key in _entries.Keys)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                _entries.TryRemove(key, out _);
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_watches).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "service-account token cache: watch of {Prefix} failed ({Reason}); restarting")]
    private static partial void LogWatchFailed(ILogger logger, string prefix, string reason);
}
