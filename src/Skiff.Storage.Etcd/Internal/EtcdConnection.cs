using Grpc.Core;
using Skiff.Storage.Etcd.Protocol;

namespace Skiff.Storage.Etcd.Internal;

/// <summary>
/// The members of one etcd cluster and the fail-over policy: calls go to a preferred member; a transport or cluster
/// error moves the preference to the next member. Reads are retried anywhere within the request budget; a write is
/// retried only when it certainly was not applied, otherwise <see cref="OutcomeUnknownException"/> is thrown so that
/// the caller resolves the outcome by reading.
/// </summary>
internal sealed class EtcdConnection : IDisposable
{
    private static readonly Metadata RequireLeader = new() { { "hasleader", "true" } };
    private readonly EtcdEndpoint[] _endpoints;
    private int _preferred;
    private long _lastRevision;

    public EtcdConnection(EtcdOptions options)
    {
        if (options.Endpoints.Count == 0)
        {
            throw new ArgumentException("no etcd endpoint given", nameof(options));
        }

        Options = options;
        _endpoints = options.Endpoints.Select(u => new EtcdEndpoint(u, options)).ToArray();
        EndpointList = string.Join(",", options.Endpoints);
    }

    public EtcdOptions Options { get; }

    /// <summary>The endpoints as a comma-separated list, for error messages.</summary>
    public string EndpointList { get; }

    /// <summary>The highest revision seen in any response: a lower bound of the cluster's current revision.</summary>
    public long LastRevision => Volatile.Read(ref _lastRevision);

    public EtcdEndpoint Preferred => _endpoints[Volatile.Read(ref _preferred)];

    /// <summary>Call metadata: require the member to have a leader, so a partitioned member answers at once.</summary>
    public static Metadata Headers => RequireLeader;

    public void Observe(ResponseHeader? header)
    {
        if (header is null)
        {
            return;
        }

        var seen = Volatile.Read(ref _lastRevision);
        while (header.Revision > seen)
        {
            var prior = Interlocked.CompareExchange(ref _lastRevision, header.Revision, seen);
            if (prior == seen)
            {
                return;
            }

            seen = prior;
        }
    }

    /// <summary>Moves the preference away from <paramref name="failed"/> (unless another caller already did).</summary>
    public void MarkFailed(EtcdEndpoint failed)
    {
        var index = Array.IndexOf(_endpoints, failed);
        Interlocked.CompareExchange(ref _preferred, (index + 1) % _endpoints.Length, index);
    }

    public Task<T> ReadAsync<T>(string op, Func<EtcdEndpoint, CallOptions, Task<T>> call, CancellationToken ct) =>
        CallAsync(op, call, write: false, Options.RequestTimeout, ct);

    public Task<T> WriteAsync<T>(string op, Func<EtcdEndpoint, CallOptions, Task<T>> call, CancellationToken ct) =>
        CallAsync(op, call, write: true, Options.RequestTimeout, ct);

    /// <summary>
    /// Runs <paramref name="call"/> on the preferred member, failing over on retryable errors until
    /// <paramref name="budget"/> is spent; then throws <see cref="StorageUnavailableException"/> naming the endpoints.
    /// Errors that no retry cures are thrown as they are (<see cref="RpcException"/>).
    /// </summary>
    public async Task<T> CallAsync<T>(string op, Func<EtcdEndpoint, CallOptions, Task<T>> call, bool write, TimeSpan budget, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + budget;
        Exception? last = null;
        var attempt = 0;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var now = DateTime.UtcNow;
            if (now >= deadline)
            {
                throw Unavailable(op, last);
            }

            var endpoint = Preferred;
            var attemptDeadline = now + Options.AttemptTimeout < deadline ? now + Options.AttemptTimeout : deadline;
            try
            {
                return await call(endpoint, new CallOptions(RequireLeader, attemptDeadline, ct)).ConfigureAwait(false);
            }
            catch (RpcException ex) when (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException($"etcd {op} cancelled", ex, ct);
            }
            catch (RpcException ex) when (EtcdErrors.IsRetryable(ex))
            {
                last = ex;
                MarkFailed(endpoint);
                if (write && !EtcdErrors.CertainlyNotApplied(ex))
                {
                    throw new OutcomeUnknownException($"etcd {op} on {endpoint}: outcome unknown ({EtcdErrors.Describe(ex)})", ex);
                }
            }
            catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
            {
                // Grpc.Net.Client can surface an attempt's own deadline (or a connection reset under it) as a bare
                // cancellation instead of DeadlineExceeded: the same retryable attempt failure.
                last = ex;
                MarkFailed(endpoint);
                if (write)
                {
                    throw new OutcomeUnknownException($"etcd {op} on {endpoint}: outcome unknown (attempt cancelled)", ex);
                }
            }
            catch (HttpRequestException ex)
            {
                last = ex;
                MarkFailed(endpoint);
                if (write)
                {
                    throw new OutcomeUnknownException($"etcd {op} on {endpoint}: outcome unknown ({ex.Message})", ex);
                }
            }

            attempt++;
            if (attempt % _endpoints.Length == 0)
            {
                var backoff = TimeSpan.FromMilliseconds(Math.Min(1000, 25 << Math.Min(attempt / _endpoints.Length, 6)));
                var left = deadline - DateTime.UtcNow;
                if (left > TimeSpan.Zero)
                {
                    await Task.Delay(backoff < left ? backoff : left, ct).ConfigureAwait(false);
                }
            }
        }
    }

    public StorageUnavailableException Unavailable(string op, Exception? last) =>
        new($"etcd is unavailable at {EndpointList} ({op}): {EtcdErrors.Describe(last)}", last);

    public void Dispose()
    {
        foreach (var endpoint in _endpoints)
        {
            endpoint.Dispose();
        }
    }
}
