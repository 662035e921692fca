using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Skiff.Storage;

namespace Skiff.ApiServer.Hosting;

/// <summary>
/// Periodic compaction of the store's history, like upstream's compactor (<c>storage/etcd3/compact.go</c>): at every
/// tick it compacts to the revision it saw at the previous tick, so roughly one interval of history stays readable
/// (list at a resourceVersion, watch from a resourceVersion); anything older is 410 Gone. Current reads are never
/// affected. Failures are logged and retried at the next tick; the service never stops the server.
/// </summary>
public sealed class StorageCompactor : BackgroundService
{
    private readonly IStorage _storage;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;

    /// <summary>Creates the compactor; <paramref name="interval"/> must be positive.</summary>
    public StorageCompactor(IStorage storage, TimeSpan interval, TimeProvider clock, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        _storage = storage;
        _interval = interval;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>Raised after each successful compaction with the revision compacted to (for observers and tests).</summary>
    public event Action<long>? Compacted;

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        long previous = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_interval, _clock, stoppingToken).ConfigureAwait(false);
                previous = await TickAsync(previous, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is StorageException or ObjectDisposedException)
            {
                _logger.LogWarning(e, "compaction failed; retrying in {Interval}", _interval);
            }
        }
    }

    /// <summary>One tick: compacts to <paramref name="previous"/> when it is newer than the last compaction; returns the current revision.</summary>
    private async Task<long> TickAsync(long previous, CancellationToken ct)
    {
        var current = await _storage.GetCurrentRevisionAsync(ct).ConfigureAwait(false);
        if (previous > 0 && previous > await _storage.GetCompactedRevisionAsync(ct).ConfigureAwait(false))
        {
            try
            {
                await _storage.CompactAsync(previous, ct).ConfigureAwait(false);
                Compacted?.Invoke(previous);
            }
            catch (RevisionCompactedException)
            {
                // Another server on the same store compacted further already.
            }
        }

        return current;
    }
}
