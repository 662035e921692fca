using System.Buffers;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;
using Skiff.Storage;

namespace Skiff.ApiServer.Endpoints;

/// <summary>
/// Table and PartialObjectMetadata watch frames and list bodies written from stored versions, each version's frame, row
/// or item encoded once per (variant, second) and shared by every watcher and list through <see cref="WatchFrameCache"/>
/// (issue 20 §1, upstream's cachingObject).
/// </summary>
/// <remarks>
/// <para>A Table row is a function of the version and the time: AGE, a Job's DURATION, a CronJob's LAST SCHEDULE are
/// printed as "now minus a timestamp". Rows are cached per whole second rather than splitting them into cached
/// time-independent cells and per-response time cells: every timestamp a printer reads is RFC 3339 with whole seconds
/// and <see cref="Registry.Printing.HumanDuration"/> truncates, so a cell printed at any instant of a second equals the
/// cell printed at the second's start — rows are printed at <see cref="PrintTime"/> and the cached bytes are exactly
/// what printing at the request's own instant gives. Which cells depend on time is each printer's business (a
/// strategy's <c>Table.Cells</c>), so splicing would need every printer to declare them; a fan-out delivers an event
/// to all its watchers within the same second, so the per-second key loses little there (bench `list-watch --only
/// table-fanout`). A LIST repeated in later seconds re-prints (each version once per second, still shared by
/// concurrent LISTs and watches).</para>
/// <para>Only requests whose bytes the key determines come here: JSON (and PartialObjectMetadata watch frames and
/// lists in protobuf), never pretty or YAML; a Table watch's first event (it carries the column definitions) and events of a
/// version at another revision (an object leaving a selector) are encoded for the one response.</para>
/// </remarks>
internal static class TransformedResponses
{
    /// <summary>The instant Table cells are printed at: <paramref name="now"/> truncated to its second.</summary>
    public static DateTimeOffset PrintTime(DateTimeOffset now) => DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds());

    /// <summary>
    /// The Table or PartialObjectMetadata frame of a stored-version event <paramref name="ev"/> (its
    /// <see cref="WatchEvent.Source"/> is <paramref name="kv"/>); <paramref name="withHeaders"/> for a Table watch's first event.
    /// </summary>
    public static byte[] WatchFrame(ResourceDescriptor d, Negotiated neg, string includeObject, WatchEvent ev, KeyValue kv, bool protobuf, bool withHeaders, DateTimeOffset now)
    {
        var type = ev.Type;
        var revision = ev.Revision;
        JsonObject Decoded()
        {
            var obj = GenericStore.Decode(kv);
            Meta.Of(obj)["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture);
            return obj;
        }

        if (neg.Shape == OutputShape.PartialMetadata)
        {
            byte[] EncodeMetadata() => ResourceEndpoint.EncodeEvent(protobuf, type, TableConverter.PartialObjectMetadata(Decoded(), neg.MetaVersion));
            return ev.Spliced
                ? EncodeMetadata()
                : WatchFrameCache.GetOrEncode(kv, new EncodingVariant(EncodingForm.PartialMetadataFrame, neg.MetaVersion, "", type, protobuf), 0, EncodeMetadata);
        }

        var printedAt = PrintTime(now);
        byte[] EncodeTable() => ResourceEndpoint.EncodeEvent(protobuf, type, TableConverter.ToTable(d, [Decoded()], includeObject, neg.MetaVersion, printedAt,
            new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) }, noHeaders: !withHeaders));
        return ev.Spliced || withHeaders
            ? EncodeTable()
            : WatchFrameCache.GetOrEncode(kv, new EncodingVariant(EncodingForm.TableFrame, neg.MetaVersion, includeObject, type, protobuf), printedAt.ToUnixTimeSeconds(), EncodeTable);
    }

    /// <summary>
    /// Writes a JSON Table or PartialObjectMetadataList (JSON or protobuf) of <paramref name="page"/>: the envelope
    /// serialized as the decoding path does, then each item's shared row or item bytes; the body equals the decoding path's.
    /// </summary>
    public static async Task WriteListAsync(HttpContext ctx, ResourceDescriptor d, Negotiated neg, string includeObject, RawListPage page, DateTimeOffset now, CancellationToken ct)
    {
        var listMeta = TableConverter.ListMeta(new ListPage([], page.Revision, page.Continue, page.RemainingItemCount));
        var printedAt = PrintTime(now);
        var table = neg.Shape == OutputShape.Table;
        var envelope = table
            ? TableConverter.ToTable(d, [], includeObject, neg.MetaVersion, printedAt, listMeta)
            : TableConverter.PartialObjectMetadataList([], neg.MetaVersion, listMeta);
        var variant = table
            ? new EncodingVariant(EncodingForm.TableRow, neg.MetaVersion, includeObject, "", false)
            : new EncodingVariant(EncodingForm.PartialMetadataItem, neg.MetaVersion, "", "", false);
        var second = table ? printedAt.ToUnixTimeSeconds() : 0;
        if (!table && neg.Format == Negotiation.Protobuf)
        {
            var messages = ProtobufListWriter.Messages(page.Items, variant with { Protobuf = true },
                kv => Skiff.Api.Protobuf.ProtobufCodec.Encode(TableConverter.PartialObjectMetadata(GenericStore.Decode(kv), neg.MetaVersion)));
            if (messages is not null)
            {
                await ProtobufListWriter.WriteAsync(ctx, envelope, messages, ct).ConfigureAwait(false);
                return;
            }

            await Responses.WriteAsync(ctx, 200, TableConverter.PartialObjectMetadataList(page.Items.Select(GenericStore.Decode), neg.MetaVersion, listMeta), neg.Format).ConfigureAwait(false);
            return;
        }

        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        var body = new BatchedBodyWriter(ctx.Response.BodyWriter);
        var head = Responses.Serialize(envelope);
        body.Write(head.AsSpan(0, head.Length - 2)); // the items array is last and empty: without its "]}"
        for (var i = 0; i < page.Items.Count; i++)
        {
            var kv = page.Items[i];
            if (i > 0)
            {
                body.Write(","u8);
            }

            body.Write(WatchFrameCache.GetOrEncode(kv, variant, second, () => Responses.Serialize(table
                ? TableConverter.Row(d, GenericStore.Decode(kv), includeObject, neg.MetaVersion, printedAt)
                : TableConverter.PartialObjectMetadata(GenericStore.Decode(kv), neg.MetaVersion))));
            await body.FlushIfFullAsync(ct).ConfigureAwait(false);
        }

        body.Write("]}\n"u8);
        await body.FlushAsync(ct).ConfigureAwait(false);
    }
}
