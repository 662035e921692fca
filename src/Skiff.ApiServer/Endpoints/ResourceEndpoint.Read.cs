using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints;

internal sealed partial class ResourceEndpoint
{
    private async Task GetAsync(HttpContext ctx, GenericStore store, string ns, string name, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: true);
        var obj = await store.GetAsync(ns, name, Query(ctx, "resourceVersion") ?? "", ct).ConfigureAwait(false);
        await WriteObjectAsync(ctx, 200, store, obj, neg).ConfigureAwait(false);
    }

    private async Task ListAsync(HttpContext ctx, GenericStore store, string ns, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: true);
        var includeObject = TableConverter.ParseIncludeObject(Query(ctx, "includeObject"));
        var q = ParseListQuery(ctx, watch: false);
        var sharedFormat = neg.Format == "application/json" || (neg.Format == Negotiation.Protobuf && neg.Shape == OutputShape.PartialMetadata);
        if (neg.Shape != OutputShape.Object && sharedFormat && store.CanServeStored && !Responses.IsPrettyPrint(ctx.Request))
        {
            var stored = await store.ListStoredAsync(ns, q, ct).ConfigureAwait(false);
            await TransformedResponses.WriteListAsync(ctx, store.Descriptor, neg, includeObject, stored, _options.Clock.GetUtcNow(), ct).ConfigureAwait(false);
            return;
        }

        if (neg.Shape == OutputShape.Object && store.CanServeStored && !Responses.IsPrettyPrint(ctx.Request))
        {
            if (neg.Format == "application/json")
            {
                var stored = await store.ListStoredAsync(ns, q, ct).ConfigureAwait(false);
                await StoredListWriter.WriteAsync(ctx, store.Descriptor, stored, ct).ConfigureAwait(false);
                return;
            }

            if (neg.Format == Negotiation.Protobuf && Skiff.Api.Protobuf.ProtobufCodec.CanEncode(store.Descriptor.GroupVersion, store.Descriptor.ListKind))
            {
                var stored = await store.ListStoredAsync(ns, q, ct).ConfigureAwait(false);
                var variant = new EncodingVariant(EncodingForm.ObjectItem, "", "", "", Protobuf: true);
                if (ProtobufListWriter.Messages(stored.Items, variant, kv => StoredListWriter.EncodeProtobufItem(store.Descriptor, kv)) is { } items)
                {
                    await ProtobufListWriter.WriteAsync(ctx, StoredListWriter.EmptyList(store.Descriptor, stored), items, ct).ConfigureAwait(false);
                    return;
                }
            }
        }

        var page = await store.ListAsync(ns, q, ct).ConfigureAwait(false);
        var listMeta = TableConverter.ListMeta(page);
        JsonObject body = neg.Shape switch
        {
            OutputShape.Table => TableConverter.ToTable(store.Descriptor, page.Items, includeObject, neg.MetaVersion, _options.Clock.GetUtcNow(), listMeta),
            OutputShape.PartialMetadata => TableConverter.PartialObjectMetadataList(page.Items, neg.MetaVersion, listMeta),
            _ => new JsonObject
            {
                ["kind"] = store.Descriptor.ListKind,
                ["apiVersion"] = store.Descriptor.GroupVersion,
                ["metadata"] = listMeta,
                ["items"] = ListItems(store.Descriptor, page.Items),
            },
        };
        await Responses.WriteAsync(ctx, 200, body, neg.Format).ConfigureAwait(false);
    }

    /// <summary>
    /// The items of a list response. A built-in kind's list is a typed Go list upstream, whose items are structs
    /// serialised without <c>kind</c>/<c>apiVersion</c> (conversion clears TypeMeta); custom resources are
    /// unstructured and keep them. <paramref name="items"/> are owned by the caller's response and are changed in place.
    /// </summary>
    private static JsonArray ListItems(Registry.ResourceDescriptor d, IEnumerable<JsonObject> items)
    {
        var array = new JsonArray();
        foreach (var item in items)
        {
            if (!d.Custom)
            {
                item.Remove("kind");
                item.Remove("apiVersion");
            }

            array.Add(item);
        }

        return array;
    }

    private Task WriteObjectAsync(HttpContext ctx, int status, GenericStore store, JsonObject obj, Negotiated neg)
    {
        JsonObject body = neg.Shape switch
        {
            OutputShape.Table => TableConverter.ToTable(
                store.Descriptor, [obj], TableConverter.ParseIncludeObject(Query(ctx, "includeObject")), neg.MetaVersion, _options.Clock.GetUtcNow(),
                new JsonObject { ["resourceVersion"] = obj["metadata"]?["resourceVersion"]?.DeepClone() }),
            OutputShape.PartialMetadata => TableConverter.PartialObjectMetadata(obj, neg.MetaVersion),
            _ => obj,
        };
        return Responses.WriteAsync(ctx, status, body, neg.Format);
    }

    private async Task GetScaleAsync(HttpContext ctx, GenericStore store, string ns, string name, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: false);
        var obj = await store.GetAsync(ns, name, Query(ctx, "resourceVersion") ?? "", ct).ConfigureAwait(false);
        await Responses.WriteAsync(ctx, 200, ToScale(store, obj), neg.Format).ConfigureAwait(false);
    }

    /// <summary>The Scale view of <paramref name="obj"/>: a custom resource's from its CRD's scale paths.</summary>
    private static JsonObject ToScale(GenericStore store, JsonObject obj) =>
        store.Descriptor.Strategy is Skiff.ApiServer.CustomResources.CustomResourceStrategy { HasScale: true } custom ? custom.ToScale(obj) : Scale.FromObject(obj);

    /// <summary>Applies a Scale's replicas to <paramref name="obj"/>.</summary>
    private static JsonObject FromScale(GenericStore store, JsonObject obj, JsonObject scale) =>
        store.Descriptor.Strategy is Skiff.ApiServer.CustomResources.CustomResourceStrategy { HasScale: true } custom ? custom.FromScale(obj, scale) : Scale.ApplyToObject(obj, scale);
}
