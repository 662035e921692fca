using Grpc.Core;
using Skiff.Storage.Etcd.Internal;
using Skiff.Storage.Etcd.Protocol;

namespace Skiff.Storage.Etcd;

/// <summary>
/// <see cref="IStorage"/> over etcd v3's gRPC API. etcd's revision is the store's revision; keys and values are
/// stored as they are (UTF-8 keys), so other etcd clients see the same data.
/// </summary>
/// <remarks>
/// <para>Writes are single transactions guarded by a compare on the key's create or mod revision, so a retried
/// transaction can never apply twice; when a write's answer is lost (member died, deadline, leader change) its outcome
/// is resolved by reading (the key, its history, or the first event after the expected revision) before anything is
/// sent again. Reads are linearizable and fail over to other members freely.</para>
/// <para>When no member answers within <see cref="EtcdOptions.RequestTimeout"/>, operations throw
/// <see cref="StorageUnavailableException"/> naming the endpoints.</para>
/// </remarks>
public sealed partial class EtcdStorage : IStorage
{
    private readonly EtcdConnection _connection;
    private readonly CancellationTokenSource _disposed = new();
    private long _compactedRevision;
    private bool _orderedProgressRequests;

    private EtcdStorage(EtcdConnection connection) => _connection = connection;

    /// <summary>
    /// Connects to etcd and checks that the cluster serves a linearizable read within <see cref="EtcdOptions.DialTimeout"/>.
    /// </summary>
    /// <exception cref="StorageUnavailableException">No member answered in time; the message names the endpoints.</exception>
    public static async Task<EtcdStorage> ConnectAsync(EtcdOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connection = new EtcdConnection(options);
        try
        {
            await connection.CallAsync(
                "connect",
                (e, o) => e.Kv.RangeAsync(new RangeRequest { Key = EtcdKeys.ProbeKey, CountOnly = true }, o).ResponseAsync,
                write: false,
                options.DialTimeout,
                ct).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            connection.Dispose();
            if (ex is StorageUnavailableException || (ex is OperationCanceledException && ct.IsCancellationRequested))
            {
                throw;
            }

            // A cancellation the caller did not ask for is the dial deadline expiring inside the call: unavailable.
            throw new StorageUnavailableException($"cannot use etcd at {connection.EndpointList}: {EtcdErrors.Describe(ex)}", ex);
        }

        var storage = new EtcdStorage(connection);
        try
        {
            var status = await connection.Preferred.Maintenance.StatusAsync(
                new StatusRequest(), EtcdConnection.Headers, DateTime.UtcNow + options.DialTimeout, ct).ResponseAsync.ConfigureAwait(false);
            storage._orderedProgressRequests = HasOrderedProgressRequests(status.Version);
        }
        catch (RpcException)
        {
            // Unknown version: rely on etcd's own periodic progress notifications only.
        }

        return storage;
    }

    /// <summary>
    /// Whether etcd answers a watch progress request in order with the stream's events. Older servers answer at once
    /// with the store revision, possibly ahead of events still queued (etcd issue 15220); Kubernetes trusts progress
    /// requests from 3.4.31 and 3.5.13 on.
    /// </summary>
    internal static bool HasOrderedProgressRequests(string version)
    {
        if (!Version.TryParse(version.Split('-', '+')[0], out var v))
        {
            return false;
        }

        return v.Major > 3
            || (v.Major == 3 && v.Minor > 5)
            || (v.Major == 3 && v.Minor == 5 && v.Build >= 13)
            || (v.Major == 3 && v.Minor == 4 && v.Build >= 31);
    }

    /// <summary>The endpoint currently preferred for calls (changes on fail-over).</summary>
    public Uri CurrentEndpoint => _connection.Preferred.Uri;

    /// <inheritdoc />
    public async ValueTask<long> GetCurrentRevisionAsync(CancellationToken ct)
    {
        var response = await RangeAsync(new RangeRequest { Key = EtcdKeys.ProbeKey, CountOnly = true }, ct).ConfigureAwait(false);
        return response.Header.Revision;
    }

    /// <inheritdoc />
    public async Task<KeyValue?> GetAsync(string key, long revision, CancellationToken ct)
    {
        StorageExtensions.ValidateKey(key);
        var response = await RangeAsync(new RangeRequest { Key = EtcdKeys.Encode(key), Revision = revision }, ct).ConfigureAwait(false);
        return response.Kvs.Count == 0 ? null : EtcdKeys.ToKeyValue(response.Kvs[0]);
    }

    /// <inheritdoc />
    public async Task<ListResult> ListAsync(string prefix, ListOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(options);
        var (start, end) = EtcdKeys.PrefixRange(prefix, options.StartAfter);
        var request = new RangeRequest { Key = start, RangeEnd = end, Limit = Math.Max(0, options.Limit), Revision = options.Revision };
        var response = await RangeAsync(request, ct).ConfigureAwait(false);
        var items = new KeyValue[response.Kvs.Count];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = EtcdKeys.ToKeyValue(response.Kvs[i]);
        }

        var remaining = response.More ? Math.Max(0, response.Count - items.Length) : 0;
        var revision = options.Revision > 0 ? options.Revision : response.Header.Revision;
        return new ListResult(items, revision, response.More, remaining);
    }

    /// <inheritdoc />
    public async Task<long> CountAsync(string prefix, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var (start, end) = EtcdKeys.PrefixRange(prefix, null);
        var response = await RangeAsync(new RangeRequest { Key = start, RangeEnd = end, CountOnly = true }, ct).ConfigureAwait(false);
        return response.Count;
    }

    /// <inheritdoc />
    public async Task CompactAsync(long revision, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        try
        {
            // Compaction is idempotent: a retry after a lost answer at worst reports "already compacted".
            var response = await _connection.ReadAsync(
                "compact",
                (e, o) => e.Kv.CompactAsync(new CompactionRequest { Revision = revision }, o).ResponseAsync,
                ct).ConfigureAwait(false);
            _connection.Observe(response.Header);
            RaiseCompacted(revision);
        }
        catch (RpcException ex) when (EtcdErrors.IsCompacted(ex))
        {
            // Already compacted at or past this revision: nothing to do.
        }
        catch (RpcException ex) when (EtcdErrors.IsFutureRevision(ex))
        {
            throw new FutureRevisionException(revision, await GetCurrentRevisionAsync(ct).ConfigureAwait(false));
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// etcd does not report its compaction revision directly: the last known value (from this client's compactions
    /// and watch cancellations) is verified with one read at that revision, and when it is stale the lowest readable
    /// revision is found by a binary search of reads at past revisions.
    /// </remarks>
    public async ValueTask<long> GetCompactedRevisionAsync(CancellationToken ct)
    {
        var known = Volatile.Read(ref _compactedRevision);
        if (known > 0 && await IsReadableAsync(known, ct).ConfigureAwait(false))
        {
            return known;
        }

        if (known == 0 && await IsReadableAsync(1, ct).ConfigureAwait(false))
        {
            return 0;
        }

        // Lowest readable revision in (known, current]: the current revision is always readable.
        var low = Math.Max(known, 1) + 1;
        var high = await GetCurrentRevisionAsync(ct).ConfigureAwait(false);
        while (low < high)
        {
            var middle = low + ((high - low) / 2);
            if (await IsReadableAsync(middle, ct).ConfigureAwait(false))
            {
                high = middle;
            }
            else
            {
                low = middle + 1;
            }
        }

        RaiseCompacted(low);
        return low;
    }

    /// <inheritdoc />
    public async Task<HealthResult> CheckHealthAsync(CancellationToken ct)
    {
        try
        {
            var budget = _connection.Options.AttemptTimeout;
            var range = await _connection.CallAsync(
                "health",
                (e, o) => e.Kv.RangeAsync(new RangeRequest { Key = EtcdKeys.ProbeKey, CountOnly = true }, o).ResponseAsync,
                write: false,
                budget,
                ct).ConfigureAwait(false);
            var endpoint = _connection.Preferred;
            var status = await endpoint.Maintenance.StatusAsync(
                new StatusRequest(), EtcdConnection.Headers, DateTime.UtcNow + budget, ct).ResponseAsync.ConfigureAwait(false);
            if (status.Errors.Count > 0)
            {
                return new HealthResult(false, $"etcd {endpoint}: {string.Join("; ", status.Errors)}");
            }

            return new HealthResult(true, $"etcd {status.Version} at {endpoint}: revision {range.Header.Revision}, leader {status.Leader:x}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            return new HealthResult(false, $"etcd at {_connection.EndpointList} is unhealthy: {EtcdErrors.Describe(ex)}");
        }
    }

    /// <summary>Ends every open watch and closes the connections.</summary>
    public ValueTask DisposeAsync()
    {
        if (!_disposed.IsCancellationRequested)
        {
            _disposed.Cancel();
            _connection.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>A linearizable range with fail-over; etcd's compacted and future-revision errors become the contract's.</summary>
    private async Task<RangeResponse> RangeAsync(RangeRequest request, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        try
        {
            var response = await _connection.ReadAsync("range", (e, o) => e.Kv.RangeAsync(request, o).ResponseAsync, ct).ConfigureAwait(false);
            _connection.Observe(response.Header);
            return response;
        }
        catch (RpcException ex) when (EtcdErrors.IsCompacted(ex))
        {
            throw new RevisionCompactedException(request.Revision, await GetCompactedRevisionAsync(ct).ConfigureAwait(false));
        }
        catch (RpcException ex) when (EtcdErrors.IsFutureRevision(ex))
        {
            throw new FutureRevisionException(request.Revision, await GetCurrentRevisionAsync(ct).ConfigureAwait(false));
        }
        catch (RpcException ex)
        {
            throw new StorageException($"etcd range failed: {EtcdErrors.Describe(ex)}", ex);
        }
    }

    private async Task<bool> IsReadableAsync(long revision, CancellationToken ct)
    {
        try
        {
            await _connection.ReadAsync(
                "range",
                (e, o) => e.Kv.RangeAsync(new RangeRequest { Key = EtcdKeys.ProbeKey, CountOnly = true, Revision = revision }, o).ResponseAsync,
                ct).ConfigureAwait(false);
            return true;
        }
        catch (RpcException ex) when (EtcdErrors.IsCompacted(ex))
        {
            return false;
        }
    }

    private void RaiseCompacted(long revision)
    {
        var seen = Volatile.Read(ref _compactedRevision);
        while (revision > seen)
        {
            var prior = Interlocked.CompareExchange(ref _compactedRevision, revision, seen);
            if (prior == seen)
            {
                return;
            }

            seen = prior;
        }
    }
}
