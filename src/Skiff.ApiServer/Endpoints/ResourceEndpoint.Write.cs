using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Interim;
using Skiff.ApiServer.Security;
using Skiff.ApiServer.Serialization;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints;

internal sealed partial class ResourceEndpoint
{
    private const string PatchTypes = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json";

    private async Task CreateAsync(HttpContext ctx, GenericStore store, string ns, UserInfo user, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: true);
        var opts = WriteOptionsFor(ctx, "");
        var obj = await ReadObjectAsync(ctx, store.Descriptor, ct).ConfigureAwait(false);
        var created = await store.CreateAsync(ns, obj, opts, ct).ConfigureAwait(false);
        await WriteObjectAsync(ctx, 201, store, created, neg).ConfigureAwait(false);
    }

    private async Task UpdateAsync(HttpContext ctx, GenericStore store, string ns, string name, string sub, UserInfo user, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: sub != "scale");
        var opts = WriteOptionsFor(ctx, sub);
        var body = await ReadObjectAsync(ctx, store.Descriptor, ct).ConfigureAwait(false);
        if (sub == "scale")
        {
            var (scaled, _) = await store.UpdateAsync(ns, name, old => Scale.ApplyToObject(old, body), null, opts, ct).ConfigureAwait(false);
            await Responses.WriteAsync(ctx, 200, Scale.FromObject(scaled), neg.Format).ConfigureAwait(false);
            return;
        }

        var (result, created) = await store.UpdateAsync(
            ns, name, _ => (JsonObject)body.DeepClone(), () => (JsonObject)body.DeepClone(), opts, ct).ConfigureAwait(false);
        await WriteObjectAsync(ctx, created ? 201 : 200, store, result, neg).ConfigureAwait(false);
    }

    private async Task PatchAsync(HttpContext ctx, GenericStore store, string ns, string name, string sub, UserInfo user, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: sub != "scale");
        var opts = WriteOptionsFor(ctx, sub);
        var patchType = MediaType.Parse(ctx.Request.ContentType ?? "")?.Essence ?? "";
        if (patchType is not ("application/json-patch+json" or "application/merge-patch+json" or "application/strategic-merge-patch+json" or "application/apply-patch+yaml"))
        {
            throw Negotiation.UnsupportedMediaType(PatchTypes);
        }

        var bytes = await ReadBodyAsync(ctx, ct).ConfigureAwait(false);
        JsonNode? patch;
        try
        {
            patch = patchType == "application/apply-patch+yaml"
                ? YamlContentDecoder.Instance.Decode(bytes)
                : JsonNode.Parse(bytes, documentOptions: new System.Text.Json.JsonDocumentOptions { AllowDuplicateProperties = true });
        }
        catch (System.Text.Json.JsonException e)
        {
            throw Errors.BadRequest($"error decoding patch: {e.Message}");
        }

        if (patchType == "application/json-patch+json" ? patch is not JsonArray : patch is not JsonObject)
        {
            throw Errors.BadRequest($"error decoding patch: invalid {patchType} body");
        }

        if (patchType == "application/apply-patch+yaml")
        {
            await ApplyAsync(ctx, store, ns, name, (JsonObject)patch!, opts, neg, ct).ConfigureAwait(false);
            return;
        }

        if (patch is JsonObject po)
        {
            CheckFields(ctx, store.Descriptor, po, []);
        }

        JsonObject Apply(JsonObject target)
        {
            JsonNode? result;
            try
            {
                result = patchType switch
                {
                    "application/json-patch+json" => Skiff.Api.Patch.JsonPatch.Apply(target, (JsonArray)patch!),
                    "application/merge-patch+json" => Skiff.Api.Patch.JsonMergePatch.Apply(target, patch),
                    _ => Patches.StrategicMergePatch(target, patch),
                };
            }
            catch (Skiff.Api.Patch.PatchException e)
            {
                throw e.ToStatusException();
            }

            return result as JsonObject ?? throw Errors.BadRequest("the patch result is not an object");
        }

        if (sub == "scale")
        {
            var (scaled, _) = await store.UpdateAsync(ns, name, old => Scale.ApplyToObject(old, Apply(Scale.FromObject(old))), null, opts, ct).ConfigureAwait(false);
            await Responses.WriteAsync(ctx, 200, Scale.FromObject(scaled), neg.Format).ConfigureAwait(false);
            return;
        }

        var (updated, _) = await store.UpdateAsync(ns, name, Apply, null, opts, ct).ConfigureAwait(false);
        await WriteObjectAsync(ctx, 200, store, updated, neg).ConfigureAwait(false);
    }

    /// <summary>
    /// Server-side apply, INTERIM: creates the object when absent, otherwise merges the applied configuration like a
    /// merge patch. Conflict detection and field ownership come with Skiff.Api's apply engine.
    /// </summary>
    private async Task ApplyAsync(HttpContext ctx, GenericStore store, string ns, string name, JsonObject applied, WriteOptions opts, Negotiated neg, CancellationToken ct)
    {
        if (Query(ctx, "fieldManager") is not { Length: > 0 })
        {
            throw Errors.InvalidOptions("PatchOptions", [Skiff.Api.Validation.FieldError.Required("fieldManager", "is required for apply patch")]);
        }

        CheckFields(ctx, store.Descriptor, applied, []);
        if (await store.GetRawAsync(ns, name, ct).ConfigureAwait(false) is null)
        {
            var obj = (JsonObject)applied.DeepClone();
            Meta.Of(obj)["name"] = name;
            var created = await store.CreateAsync(ns, obj, opts, ct).ConfigureAwait(false);
            await WriteObjectAsync(ctx, 201, store, created, neg).ConfigureAwait(false);
            return;
        }

        var (updated, _) = await store.UpdateAsync(ns, name, old => (JsonObject)Patches.StrategicMergePatch(old, applied)!, null, opts, ct).ConfigureAwait(false);
        await WriteObjectAsync(ctx, 200, store, updated, neg).ConfigureAwait(false);
    }
}
