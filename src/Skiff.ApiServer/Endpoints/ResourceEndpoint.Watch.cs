using System.Buffers;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Skiff.ApiServer.Http;
using Skiff.Api.Selectors;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints;

internal sealed partial class ResourceEndpoint
{
    /// <summary>
    /// Streams watch events, one JSON object per line, flushed per event; BOOKMARKs every
    /// <see cref="Hosting.ApiServerOptions.BookmarkInterval"/> when allowed; closes at timeoutSeconds (default 30–60 min).
    /// Table Accept headers get Table-shaped events (column definitions only in the first).
    /// </summary>
    private async Task WatchAsync(HttpContext ctx, GenericStore store, string ns, string name, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: true);
        if (neg.Format == Negotiation.Protobuf && !Skiff.Api.Protobuf.ProtobufCodec.CanEncode(store.Descriptor.GroupVersion, store.Descriptor.Kind))
        {
            neg = neg with { Format = Negotiation.TextFallback(ctx.Request.Headers.Accept) ?? "application/json" };
        }

        var protobuf = neg.Format == Negotiation.Protobuf;
        var includeObject = TableConverter.ParseIncludeObject(Query(ctx, "includeObject"));
        var q = ParseListQuery(ctx, watch: true);
        if (name.Length > 0)
        {
            if (q.Fields.Requirements.Any(r => r.Field == "metadata.name" && r.Value != name))
            {
                throw NameMismatch();
            }

            q = q with { Fields = FieldSelector.FromRequirements(q.Fields.Requirements.Append(new FieldRequirement("metadata.name", SelectorOperator.Equals, name))) };
        }

        // Validate selectors before answering 200.
        store.Matcher(q);
        var timeout = q.Timeout ?? TimeSpan.FromSeconds(1800 * (1 + Random.Shared.NextDouble()));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        var token = cts.Token;

        // The writer reads the store's enumeration directly and writes every event that is already there (MoveNextAsync
        // completes synchronously while the watcher's buffer in the cache has events), then flushes once and waits: one
        // wake-up and one flush per batch, no second queue or pump task per watcher. Idle watchers get BOOKMARKs on the
        // store's progress events (shared timers, none per watch); busy ones when an event finds the bookmark due.
        // Every shape is written from stored versions: plain objects spliced, Table and PartialObjectMetadata transformed
        // once per version and shared (TransformedResponses); the store decodes only when it cannot serve stored bytes.
        var events = store.WatchAsync(ns, q, stored: true, token).GetAsyncEnumerator(token);

        ctx.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = protobuf ? Skiff.Api.Protobuf.ProtobufCodec.WatchContentType : "application/json";
        ctx.Response.Headers.CacheControl = "no-cache, private";
        long lastRevision = 0;
        var firstTableEvent = true;
        var clock = _options.Clock;
        var nextBookmark = clock.GetUtcNow() + _options.BookmarkInterval;
        var body = ctx.Response.BodyWriter;
        long unreported = 0;
        ValueTask<bool> next = default;
        var pending = false; // next is running: it must finish before the enumeration may be disposed
        try
        {
            await ctx.Response.StartAsync(token).ConfigureAwait(false);
            await ctx.Response.Body.FlushAsync(token).ConfigureAwait(false);
            while (true)
            {
                next = events.MoveNextAsync();
                pending = true;
                if (!next.IsCompleted)
                {
                    // Nothing more queued: send the batch, then wait for the next event.
                    if (q.AllowBookmarks && lastRevision > 0 && clock.GetUtcNow() >= nextBookmark)
                    {
                        nextBookmark = clock.GetUtcNow() + _options.BookmarkInterval;
                        Write(body, EncodeEvent(protobuf, "BOOKMARK", BookmarkObject(store, lastRevision, neg)));
                    }

                    if (unreported > 0)
                    {
                        _options.Metrics?.WatchEventsSent(store.Descriptor, unreported);
                        unreported = 0;
                    }

                    await body.FlushAsync(token).ConfigureAwait(false);
                }

                pending = false;
                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

                var ev = events.Current;
                if (ev.Revision > lastRevision)
                {
                    lastRevision = ev.Revision;
                }

                switch (ev.Type)
                {
                    case "PROGRESS":
                        // The store's first PROGRESS follows the initial events: the watch has initialised and gives
                        // its API Priority and Fairness seats back (upstream's WatchInitialized).
                        FlowControl.FlowAdmission.WatchInitialized(ctx);
                        continue;
                    case "BOOKMARK":
                        if (q.AllowBookmarks)
                        {
                            Write(body, EncodeEvent(protobuf, "BOOKMARK", neg.Shape == OutputShape.Object ? ev.Object : BookmarkObject(store, ev.Revision, neg, ev.Object)));
                        }

                        continue;
                    case "ERROR":
                        Write(body, EncodeEvent(protobuf, "ERROR", ev.Object));
                        await body.FlushAsync(token).ConfigureAwait(false);
                        return;
                }

                unreported++;
                if (ev.Object is null && ev.Source is { } kv)
                {
                    Write(body, neg.Shape == OutputShape.Object
                        ? StoredFrame(store, ev, kv, protobuf)
                        : TransformedResponses.WatchFrame(store.Descriptor, neg, includeObject, ev, kv, protobuf, withHeaders: firstTableEvent, clock.GetUtcNow()));
                    firstTableEvent &= neg.Shape != OutputShape.Table;
                    continue;
                }

                Write(body, DecodedFrame(store, neg, includeObject, ev, protobuf, firstTableEvent));
                firstTableEvent &= neg.Shape != OutputShape.Table;
            }
        }
        catch (OperationCanceledException)
        {
            // Timeout or client gone: end the stream cleanly.
        }
        catch (Skiff.Api.Errors.StatusException se)
        {
            await TryWriteErrorAsync(ctx, protobuf, se, CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            if (unreported > 0)
            {
                _options.Metrics?.WatchEventsSent(store.Descriptor, unreported);
            }

            await cts.CancelAsync().ConfigureAwait(false);
            if (pending)
            {
                try
                {
                    await next.ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // Cancelled with the response.
                }
            }

            await events.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The frame of an event that carries a decoded object (a resource served in another version than stored).</summary>
    private byte[] DecodedFrame(GenericStore store, Negotiated neg, string includeObject, WatchEvent ev, bool protobuf, bool firstTableEvent)
    {
        JsonNode? obj = neg.Shape switch
        {
            OutputShape.Table => TableConverter.ToTable(store.Descriptor, [ev.Object!], includeObject, neg.MetaVersion, _options.Clock.GetUtcNow(),
                new JsonObject { ["resourceVersion"] = ev.Revision.ToString(CultureInfo.InvariantCulture) }, noHeaders: !firstTableEvent),
            OutputShape.PartialMetadata => TableConverter.PartialObjectMetadata(ev.Object!, neg.MetaVersion),
            _ => ev.Object,
        };
        if (neg.Shape == OutputShape.Object && ev.Source is { } source && obj is JsonObject plain && store.Descriptor.StorageGroupVersion is null)
        {
            var type = ev.Type;
            return WatchFrameCache.GetOrEncode(source, type, protobuf, () => EncodeEvent(protobuf, type, plain));
        }

        return EncodeEvent(protobuf, ev.Type, obj);
    }

    /// <summary>
    /// The frame of a stored-version event: JSON spliced from the stored bytes, or protobuf encoded from one decode; shared
    /// by every watcher of the same version and type (<see cref="WatchFrameCache"/>) unless the revision was changed.
    /// </summary>
    private static byte[] StoredFrame(GenericStore store, WatchEvent ev, Skiff.Storage.KeyValue kv, bool protobuf) =>
        !ev.Spliced && WatchFrameCache.TryGet(kv, ev.Type, protobuf, out var shared) ? shared : EncodeStoredFrame(store, ev, kv, protobuf);

    /// <summary><see cref="StoredFrame"/> on a miss (kept apart: its closure is allocated only here, not per watcher on a hit).</summary>
    private static byte[] EncodeStoredFrame(GenericStore store, WatchEvent ev, Skiff.Storage.KeyValue kv, bool protobuf)
    {
        var type = ev.Type;
        var revision = ev.Revision;
        byte[] Encode()
        {
            if (Skiff.ApiServer.Storage.Cacher.StoredObject.Of(kv) is { } scanned)
            {
                if (!protobuf)
                {
                    return WatchFrames.Json(type, scanned, kv, revision);
                }

                if (WatchFrames.Protobuf(type, scanned, kv, revision) is { } frame)
                {
                    return frame;
                }
            }

            var obj = GenericStore.Decode(kv);
            Meta.Of(obj)["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
            return EncodeEvent(protobuf, type, obj);
        }

        return ev.Spliced ? Encode() : WatchFrameCache.GetOrEncode(kv, type, protobuf, Encode);
    }

    private static void Write(System.IO.Pipelines.PipeWriter body, byte[] frame) => body.Write(frame);

    private static JsonObject BookmarkObject(GenericStore store, long revision, Negotiated neg, JsonObject? source = null)
    {
        var bookmark = source ?? store.Bookmark(revision);
        if (neg.Shape == OutputShape.Table)
        {
            return new JsonObject
            {
                ["kind"] = "Table",
                ["apiVersion"] = $"meta.k8s.io/{neg.MetaVersion}",
                ["metadata"] = bookmark["metadata"]?.DeepClone(),
                ["columnDefinitions"] = new JsonArray(),
                ["rows"] = new JsonArray(),
            };
        }

        if (neg.Shape == OutputShape.PartialMetadata)
        {
            return TableConverter.PartialObjectMetadata(bookmark, neg.MetaVersion);
        }

        return bookmark;
    }

    /// <summary>Writes one event: a JSON line, or a length-prefixed protobuf WatchEvent frame.</summary>
    private static Task WriteEventAsync(HttpContext ctx, bool protobuf, string type, JsonNode? obj, CancellationToken ct)
        => WriteFrameAsync(ctx, EncodeEvent(protobuf, type, obj), ct);

    /// <summary>One event as sent: a JSON line, or a length-prefixed protobuf WatchEvent frame.</summary>
    internal static byte[] EncodeEvent(bool protobuf, string type, JsonNode? obj)
    {
        if (protobuf && obj is JsonObject o)
        {
            return Skiff.Api.Protobuf.ProtobufWatch.EncodeEventFrame(type, o);
        }

        var ev = new JsonObject { ["type"] = type, ["object"] = obj?.DeepClone() };
        return Responses.SerializeLine(ev);
    }

    private static async Task WriteFrameAsync(HttpContext ctx, byte[] frame, CancellationToken ct)
    {
        await ctx.Response.Body.WriteAsync(frame, ct).ConfigureAwait(false);
        await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);
    }

    private static async Task TryWriteErrorAsync(HttpContext ctx, bool protobuf, Skiff.Api.Errors.StatusException e, CancellationToken ct)
    {
        try
        {
            await WriteEventAsync(ctx, protobuf, "ERROR", e.ToStatus(), ct).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Client gone.
        }
    }
}
