using System.Buffers;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Storage.Cacher;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints;

/// <summary>
/// Writes a JSON list response from stored versions: the list envelope, then each item's stored bytes with its
/// resourceVersion spliced in (a built-in kind's items without <c>kind</c>/<c>apiVersion</c>, as a typed Go list
/// serializes them), streamed to the response with no decode and no re-encode. The bytes equal what serializing the
/// decoded list produces.
/// </summary>
internal static class StoredListWriter
{
    /// <summary>
    /// One list item as protobuf (an envelope of the descriptor's kind): its stored bytes with the resourceVersion spliced
    /// in, transcoded in one pass with no object tree. Throws <see cref="Skiff.Api.Protobuf.ProtobufEncodeException"/>
    /// when a value does not fit the kind's message.
    /// </summary>
    public static byte[] EncodeProtobufItem(ResourceDescriptor descriptor, Skiff.Storage.KeyValue kv)
    {
        var json = new ArrayBufferWriter<byte>(kv.Value.Length + 64);
        WriteItem(json, kv, dropTypeMeta: true);
        return Skiff.Api.Protobuf.ProtobufCodec.EncodeJson(json.WrittenSpan, descriptor.GroupVersion, descriptor.Kind);
    }

    public static async Task WriteAsync(HttpContext ctx, ResourceDescriptor descriptor, RawListPage page, CancellationToken ct)
    {
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        var body = new BatchedBodyWriter(ctx.Response.BodyWriter);
        WriteHead(body, descriptor, page);
        var dropTypeMeta = !descriptor.Custom;
        for (var i = 0; i < page.Items.Count; i++)
        {
            if (i > 0)
            {
                body.Write(","u8);
            }

            WriteItem(body, page.Items[i], dropTypeMeta);
            await body.FlushIfFullAsync(ct).ConfigureAwait(false);
        }

        body.Write("]}\n"u8);
        await body.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The list object of <paramref name="page"/> without its items.</summary>
    public static JsonObject EmptyList(ResourceDescriptor descriptor, RawListPage page) => new()
    {
        ["kind"] = descriptor.ListKind,
        ["apiVersion"] = descriptor.GroupVersion,
        ["metadata"] = TableConverter.ListMeta(new ListPage([], page.Revision, page.Continue, page.RemainingItemCount)),
    };

    /// <summary>The list envelope up to the items' opening bracket.</summary>
    private static void WriteHead(IBufferWriter<byte> output, ResourceDescriptor descriptor, RawListPage page)
    {
        var head = Responses.Serialize(EmptyList(descriptor, page));
        output.Write(head.AsSpan(0, head.Length - 1)); // without the closing brace
        output.Write(",\"items\":["u8);
    }

    private static void WriteItem(IBufferWriter<byte> output, Skiff.Storage.KeyValue kv, bool dropTypeMeta)
    {
        if (StoredObject.Of(kv) is { } scanned)
        {
            scanned.WriteTo(output, kv.Value.Span, kv.ModRevision, dropTypeMeta);
            return;
        }

        // Not an object with metadata (never written by this server): decode and serialize as the slow path does.
        var obj = GenericStore.Decode(kv);
        if (dropTypeMeta)
        {
            obj.Remove("kind");
            obj.Remove("apiVersion");
        }

        output.Write(Responses.Serialize(obj));
    }
}
