using Google.Protobuf;
using Grpc.Core;
using Skiff.Storage.Etcd.Internal;
using Skiff.Storage.Etcd.Protocol;

namespace Skiff.Storage.Etcd;

/// <summary>Writes: guarded transactions, and the resolution of writes whose outcome was lost.</summary>
public sealed partial class EtcdStorage
{
    /// <inheritdoc />
    public async Task<KeyValue> CreateAsync(string key, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        StorageExtensions.ValidateWrite(key, value);
        var k = EtcdKeys.Encode(key);
        var v = ByteString.CopyFrom(value.Span);
        var txn = new TxnRequest
        {
            Compare = { new Compare { Key = k, Target = Compare.Types.CompareTarget.Create, Result = Compare.Types.CompareResult.Equal, CreateRevision = 0 } },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = k, Value = v } } },
        };

        // Any create of this key after `before` that carries our bytes is ours (objects carry a uid, so two writers
        // never create byte-identical values).
        var before = _connection.LastRevision;
        var ambiguous = false;
        var deadline = DateTime.UtcNow + (2 * _connection.Options.RequestTimeout);
        OutcomeUnknownException? unknown = null;
        while (true)
        {
            TxnResponse? response = null;
            try
            {
                response = await TxnAsync("create", key, value.Length, txn, ct).ConfigureAwait(false);
            }
            catch (OutcomeUnknownException ex)
            {
                ambiguous = true;
                unknown = ex;
            }

            if (response is { Succeeded: true })
            {
                var revision = response.Header.Revision;
                return new KeyValue(key, v.Memory, revision, revision);
            }

            if (!ambiguous)
            {
                throw new KeyExistsException(key);
            }

            var current = await GetAsync(key, 0, ct).ConfigureAwait(false);
            if (current is not null)
            {
                var created = current.CreateRevision == current.ModRevision ? current : await TryGetAtAsync(key, current.CreateRevision, ct).ConfigureAwait(false);
                if (current.CreateRevision > before && created is not null && created.Value.Span.SequenceEqual(value.Span))
                {
                    return created;
                }

                throw new KeyExistsException(key);
            }

            // Absent: the create was not applied (or applied and deleted since); the guarded txn is safe to send again.
            if (DateTime.UtcNow >= deadline)
            {
                throw _connection.Unavailable("create: outcome unknown", unknown);
            }
        }
    }

    /// <inheritdoc />
    public async Task<WriteResult> CompareAndSwapAsync(string key, long expectedModRevision, ReadOnlyMemory<byte> value, CancellationToken ct)
    {
        StorageExtensions.ValidateWrite(key, value);
        if (expectedModRevision <= 0)
        {
            // No existing key has mod revision 0: the compare can only fail.
            var existing = await GetAsync(key, 0, ct).ConfigureAwait(false);
            return new WriteResult(false, existing, _connection.LastRevision);
        }

        var k = EtcdKeys.Encode(key);
        var v = ByteString.CopyFrom(value.Span);
        var txn = new TxnRequest
        {
            Compare = { ModEquals(k, expectedModRevision) },
            Success = { new RequestOp { RequestPut = new PutRequest { Key = k, Value = v, PrevKv = true } } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = k } } },
        };
        return await GuardedWriteAsync("update", key, value.Length, expectedModRevision, txn, v, ct).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<WriteResult> CompareAndDeleteAsync(string key, long expectedModRevision, CancellationToken ct)
    {
        StorageExtensions.ValidateKey(key);
        if (expectedModRevision <= 0)
        {
            while (true)
            {
                var current = await GetAsync(key, 0, ct).ConfigureAwait(false);
                if (current is null)
                {
                    return new WriteResult(false, null, _connection.LastRevision);
                }

                var result = await CompareAndDeleteAsync(key, current.ModRevision, ct).ConfigureAwait(false);
                if (result.Succeeded || result.Current is null)
                {
                    return result;
                }
            }
        }

        var k = EtcdKeys.Encode(key);
        var txn = new TxnRequest
        {
            Compare = { ModEquals(k, expectedModRevision) },
            Success = { new RequestOp { RequestDeleteRange = new DeleteRangeRequest { Key = k, PrevKv = true } } },
            Failure = { new RequestOp { RequestRange = new RangeRequest { Key = k } } },
        };
        return await GuardedWriteAsync("delete", key, 0, expectedModRevision, txn, null, ct).ConfigureAwait(false);
    }

    private static Compare ModEquals(ByteString key, long revision) =>
        new() { Key = key, Target = Compare.Types.CompareTarget.Mod, Result = Compare.Types.CompareResult.Equal, ModRevision = revision };

    /// <summary>
    /// Sends a transaction guarded by "mod revision == expected" (a put when <paramref name="value"/> is set, else a
    /// delete). Because the guard fails once the key has changed, re-sending can never apply it twice; after a lost
    /// answer the outcome is settled by <see cref="ResolveAsync"/> before anything is re-sent.
    /// </summary>
    private async Task<WriteResult> GuardedWriteAsync(
        string op, string key, int size, long expected, TxnRequest txn, ByteString? value, CancellationToken ct)
    {
        var ambiguous = false;
        var deadline = DateTime.UtcNow + (2 * _connection.Options.RequestTimeout);
        OutcomeUnknownException? unknown = null;
        while (true)
        {
            TxnResponse? response = null;
            try
            {
                response = await TxnAsync(op, key, size, txn, ct).ConfigureAwait(false);
            }
            catch (OutcomeUnknownException ex)
            {
                ambiguous = true;
                unknown = ex;
            }

            if (response is { Succeeded: true })
            {
                var revision = response.Header.Revision;
                var first = response.Responses[0];
                if (value is not null)
                {
                    var prev = first.ResponsePut.PrevKv;
                    return new WriteResult(true, new KeyValue(key, value.Memory, prev?.CreateRevision ?? revision, revision), revision);
                }

                var deleted = first.ResponseDeleteRange.PrevKvs;
                return new WriteResult(true, deleted.Count > 0 ? EtcdKeys.ToKeyValue(deleted[0]) : null, revision);
            }

            if (response is not null && !ambiguous)
            {
                var kvs = response.Responses[0].ResponseRange.Kvs;
                return new WriteResult(false, kvs.Count > 0 ? EtcdKeys.ToKeyValue(kvs[0]) : null, response.Header.Revision);
            }

            var resolved = await ResolveAsync(key, expected, value, ct).ConfigureAwait(false);
            if (resolved is not null)
            {
                return resolved;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw _connection.Unavailable($"{op}: outcome unknown", unknown);
            }
        }
    }

    /// <summary>
    /// Settles a guarded write whose answer was lost. If the key still has mod revision <paramref name="expected"/>
    /// nothing was applied: returns null (send again). Otherwise the first change after <paramref name="expected"/>
    /// (read from etcd's history with a watch) tells whether it was this write: a put of these bytes, or a delete.
    /// </summary>
    private async Task<WriteResult?> ResolveAsync(string key, long expected, ByteString? value, CancellationToken ct)
    {
        var range = await RangeAsync(new RangeRequest { Key = EtcdKeys.Encode(key) }, ct).ConfigureAwait(false);
        var current = range.Kvs.Count > 0 ? EtcdKeys.ToKeyValue(range.Kvs[0]) : null;
        if (current is not null && current.ModRevision == expected)
        {
            return null;
        }

        Event next;
        try
        {
            next = await FirstEventAfterAsync(key, expected, ct).ConfigureAwait(false);
        }
        catch (RevisionCompactedException)
        {
            // History is gone: judge by the current state alone.
            var mine = value is null ? current is null : current is not null && current.Value.Span.SequenceEqual(value.Span);
            return mine && current is not null
                ? new WriteResult(true, current, current.ModRevision)
                : new WriteResult(false, current, range.Header.Revision);
        }

        if (value is null && next.Type == Event.Types.EventType.Delete)
        {
            return new WriteResult(true, EtcdKeys.ToKeyValueOrNull(next.PrevKv), next.Kv.ModRevision);
        }

        if (value is not null && next.Type == Event.Types.EventType.Put && next.Kv.Value.Equals(value))
        {
            return new WriteResult(true, EtcdKeys.ToKeyValue(next.Kv), next.Kv.ModRevision);
        }

        return new WriteResult(false, current, range.Header.Revision);
    }

    /// <summary>The first change of <paramref name="key"/> after <paramref name="revision"/>; the caller knows there is one.</summary>
    private Task<Event> FirstEventAfterAsync(string key, long revision, CancellationToken ct) =>
        _connection.ReadAsync("resolve", async (endpoint, options) =>
        {
            using var call = endpoint.Watch.Watch(options);
            var create = new WatchCreateRequest { Key = EtcdKeys.Encode(key), StartRevision = revision + 1, PrevKv = true };
            await call.RequestStream.WriteAsync(new WatchRequest { CreateRequest = create }, options.CancellationToken).ConfigureAwait(false);
            while (await call.ResponseStream.MoveNext(options.CancellationToken).ConfigureAwait(false))
            {
                var response = call.ResponseStream.Current;
                if (response.CompactRevision != 0)
                {
                    RaiseCompacted(response.CompactRevision);
                    throw new RevisionCompactedException(revision + 1, response.CompactRevision);
                }

                if (response.Canceled)
                {
                    throw new RpcException(new Status(StatusCode.Unavailable, "watch canceled: " + response.CancelReason));
                }

                if (response.Events.Count > 0)
                {
                    return response.Events[0];
                }
            }

            throw new RpcException(new Status(StatusCode.Unavailable, "watch stream ended"));
        }, ct);

    private async Task<KeyValue?> TryGetAtAsync(string key, long revision, CancellationToken ct)
    {
        try
        {
            return await GetAsync(key, revision, ct).ConfigureAwait(false);
        }
        catch (RevisionCompactedException)
        {
            return null;
        }
    }

    private async Task<TxnResponse> TxnAsync(string op, string key, int size, TxnRequest txn, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        try
        {
            var response = await _connection.WriteAsync(op, (e, o) => e.Kv.TxnAsync(txn, o).ResponseAsync, ct).ConfigureAwait(false);
            _connection.Observe(response.Header);
            return response;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.InvalidArgument && ex.Status.Detail.Contains("too large", StringComparison.Ordinal))
        {
            throw new ValueTooLargeException(key, size);
        }
        catch (RpcException ex)
        {
            throw new StorageException($"etcd {op} of {key} failed: {EtcdErrors.Describe(ex)}", ex);
        }
    }
}
