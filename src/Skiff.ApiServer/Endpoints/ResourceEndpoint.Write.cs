using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Security;
using Skiff.ApiServer.Serialization;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints;

internal sealed partial class ResourceEndpoint
{
    private const string PatchTypes = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json";

    // Custom resources have no Go struct to merge strategically: upstream's CRD handler refuses that patch type.
    private const string CustomPatchTypes = "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml";

    private async Task CreateAsync(HttpContext ctx, GenericStore store, string ns, UserInfo user, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: true);
        var opts = WriteOptionsFor(ctx, "", "CreateOptions");
        opts = opts with { Admission = AdmissionFor(ctx, store.Descriptor, ns, "", user, opts.DryRun) };
        var total = WriteProfile.Wall();
        var obj = await ReadObjectAsync(ctx, store.Descriptor, ct).ConfigureAwait(false);
        var created = await store.CreateStoredAsync(ns, obj, opts, ct).ConfigureAwait(false);
        var mark = WriteProfile.Cpu();

        // Encode once: the stored bytes are the response, with the resourceVersion spliced in (no decode, no re-encode).
        if (created.Stored is { } stored && neg.Shape == OutputShape.Object && neg.Format == "application/json" && !Responses.IsPrettyPrint(ctx.Request)
            && Skiff.ApiServer.Storage.Cacher.StoredObject.Splice(stored.Value.Span, stored.ModRevision, newline: true) is { } body)
        {
            ctx.Response.StatusCode = 201;
            ctx.Response.ContentType = "application/json";
            ctx.Response.ContentLength = body.Length;
            WriteProfile.EndCpu(WritePhase.EncodeResponse, mark);
            await ctx.Response.Body.WriteAsync(body, ct).ConfigureAwait(false);
            WriteProfile.EndWall(WritePhase.Total, total);
            return;
        }

        var result = created.Object ?? await store.ReadStoredAsync(created.Stored!, ct).ConfigureAwait(false);
        await WriteObjectAsync(ctx, 201, store, result, neg).ConfigureAwait(false);
        WriteProfile.EndCpu(WritePhase.EncodeResponse, mark);
        WriteProfile.EndWall(WritePhase.Total, total);
    }

    private async Task UpdateAsync(HttpContext ctx, GenericStore store, string ns, string name, string sub, UserInfo user, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: sub != "scale");
        var opts = WriteOptionsFor(ctx, sub, "UpdateOptions");
        opts = opts with { Admission = AdmissionFor(ctx, store.Descriptor, ns, sub, user, opts.DryRun) };
        var body = await ReadObjectAsync(ctx, BodyDescriptor(store.Descriptor, sub), ct).ConfigureAwait(false);
        if (Meta.Name(body) != name)
        {
            // Upstream's checkName: the body must name the object the URL names (an empty name is no exception).
            throw StatusErrors.BadRequest($"the name of the object ({Meta.Name(body)}) does not match the name on the URL ({name})");
        }

        if (sub == "scale")
        {
            var (scaled, _) = await store.UpdateAsync(ns, name, old => FromScale(store, old, body), null, opts, ct).ConfigureAwait(false);
            await Responses.WriteAsync(ctx, 200, ToScale(store, scaled), neg.Format).ConfigureAwait(false);
            return;
        }

        var (result, created) = await store.UpdateAsync(
            ns, name, _ => (JsonObject)body.DeepClone(), () => (JsonObject)body.DeepClone(), opts, ct).ConfigureAwait(false);
        await WriteObjectAsync(ctx, created ? 201 : 200, store, result, neg).ConfigureAwait(false);
    }

    /// <summary>The descriptor whose kind a subresource body has (autoscaling/v1 Scale for scale), for field checks.</summary>
    private static Registry.ResourceDescriptor BodyDescriptor(Registry.ResourceDescriptor d, string sub) =>
        sub.Length > 0 && d.Subresources.FirstOrDefault(s => s.Name == sub) is { } s && s.Kind != d.Kind
            ? d with { Group = s.Group, Version = s.Version, Kind = s.Kind }
            : d;

    private async Task PatchAsync(HttpContext ctx, GenericStore store, string ns, string name, string sub, UserInfo user, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: sub != "scale");
        var opts = WriteOptionsFor(ctx, sub, "PatchOptions");
        opts = opts with { Admission = AdmissionFor(ctx, store.Descriptor, ns, sub, user, opts.DryRun) };
        var patchType = MediaType.Parse(ctx.Request.ContentType ?? "")?.Essence ?? "";
        if (patchType is not ("application/json-patch+json" or "application/merge-patch+json" or "application/strategic-merge-patch+json" or "application/apply-patch+yaml"))
        {
            throw Negotiation.UnsupportedMediaType(PatchTypes);
        }

        if (patchType == "application/strategic-merge-patch+json" && store.Descriptor.Custom)
        {
            throw Negotiation.UnsupportedMediaType(CustomPatchTypes);
        }

        var bytes = await ReadBodyAsync(ctx, ct).ConfigureAwait(false);
        JsonNode? patch;
        try
        {
            patch = patchType == "application/apply-patch+yaml"
                ? YamlContentDecoder.Instance.Decode(bytes)
                : JsonContentDecoder.ParseLastWins(bytes);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw StatusErrors.BadRequest($"error decoding patch: {e.Message}");
        }

        if (patchType == "application/json-patch+json" ? patch is not JsonArray : patch is not JsonObject)
        {
            throw StatusErrors.BadRequest($"error decoding patch: invalid {patchType} body");
        }

        if (patchType != "application/apply-patch+yaml" && Query(ctx, "force") is not null)
        {
            throw ServerErrors.InvalidOptions("PatchOptions", [Skiff.Api.Validation.FieldError.Forbidden("force", "may not be specified for non-apply patch")]);
        }

        if (patchType == "application/apply-patch+yaml")
        {
            await ApplyAsync(ctx, store, ns, name, (JsonObject)patch!, opts, neg, ct).ConfigureAwait(false);
            return;
        }

        // Unknown fields are looked for in the patched object (as upstream decodes the result strictly), not in the
        // patch, whose directives ($patch, $setElementOrder/…) are not fields. Checked once even if the update retries.
        var fieldsChecked = false;
        JsonObject Checked(JsonObject result)
        {
            if (!fieldsChecked)
            {
                CheckFields(ctx, BodyDescriptor(store.Descriptor, sub), result, []);
                fieldsChecked = true;
            }

            return result;
        }

        JsonObject Apply(JsonObject target)
        {
            var (kind, apiVersion) = (JsonString(target["kind"]), JsonString(target["apiVersion"]));
            JsonNode? result;
            try
            {
                result = patchType switch
                {
                    "application/json-patch+json" => Skiff.Api.Patch.JsonPatch.Apply(target, (JsonArray)patch!),
                    "application/merge-patch+json" => Skiff.Api.Patch.JsonMergePatch.Apply(target, patch),
                    _ => Skiff.Api.Patch.StrategicMergePatch.Apply(target, (JsonObject)patch!, sub == "scale" ? null : store.Schema),
                };
            }
            catch (Skiff.Api.Patch.PatchException e)
            {
                throw e.ToStatusException();
            }

            var patched = Checked(result as JsonObject ?? throw StatusErrors.BadRequest("the patch result is not an object"));

            // As upstream decodes the patched object into the target's type and checks its name (patch.go).
            CheckTypeMeta(patched, kind, apiVersion);
            if (Meta.Name(patched) != name)
            {
                throw StatusErrors.BadRequest($"the name of the object ({Meta.Name(patched)}) does not match the name on the URL ({name})");
            }

            return patched;
        }

        if (sub == "scale")
        {
            var (scaled, _) = await store.UpdateAsync(ns, name, old => FromScale(store, old, Apply(ToScale(store, old))), null, opts, ct).ConfigureAwait(false);
            await Responses.WriteAsync(ctx, 200, ToScale(store, scaled), neg.Format).ConfigureAwait(false);
            return;
        }

        var (updated, _) = await store.UpdateAsync(ns, name, Apply, null, opts, ct).ConfigureAwait(false);
        await WriteObjectAsync(ctx, 200, store, updated, neg).ConfigureAwait(false);
    }

    /// <summary>
    /// Server-side apply (<c>application/apply-patch+yaml</c>) through Skiff.Api's engine: creates the object when
    /// absent, otherwise merges the configuration into the live object with field ownership; conflicts with other
    /// managers are upstream's 409 unless <c>force=true</c>. On the main resource <c>status</c> is not applied; on
    /// the status subresource only <c>status</c> (and metadata) is.
    /// </summary>
    private async Task ApplyAsync(HttpContext ctx, GenericStore store, string ns, string name, JsonObject applied, WriteOptions opts, Negotiated neg, CancellationToken ct)
    {
        if (Query(ctx, "fieldManager") is not { Length: > 0 })
        {
            throw ServerErrors.InvalidOptions("PatchOptions", [Skiff.Api.Validation.FieldError.Required("fieldManager", "is required for apply patch")]);
        }

        if (opts.Subresource == "scale")
        {
            throw Negotiation.UnsupportedMediaType(PatchTypes.Replace(", application/apply-patch+yaml", "", StringComparison.Ordinal));
        }

        CheckFields(ctx, store.Descriptor, applied, []);
        var force = QueryBool(ctx, "force");
        var sub = opts.Subresource;
        IReadOnlyCollection<string> ignored = sub == "status"
            ? applied.Select(p => p.Key).Where(k => k is not ("apiVersion" or "kind" or "metadata" or "status")).ToArray()
            : store.Descriptor.Strategy.HasStatusSubresource ? ["status"] : [];
        var applyOpts = opts with { ManagedFieldsSet = true };

        JsonObject Merge(JsonObject? live)
        {
            var config = (JsonObject)applied.DeepClone();
            if (Meta.Name(config).Length == 0)
            {
                Meta.Of(config)["name"] = name;
            }

            return Skiff.Api.Apply.ServerSideApply.Apply(live, config, opts.FieldManager, force, store.Schema, store.Clock,
                sub.Length == 0 ? null : sub, ignored).Object;
        }

        if (sub.Length == 0 && await store.GetRawAsync(ns, name, ct).ConfigureAwait(false) is null)
        {
            try
            {
                var created = await store.CreateAsync(ns, Merge(null), applyOpts, ct).ConfigureAwait(false);
                await WriteObjectAsync(ctx, 201, store, created, neg).ConfigureAwait(false);
                return;
            }
            catch (StatusException e) when (e.Code == 409 && e.Reason == "AlreadyExists")
            {
                // Created concurrently: apply to it below.
            }
        }

        var (updated, _) = await store.UpdateAsync(ns, name, Merge, null, applyOpts, ct).ConfigureAwait(false);
        await WriteObjectAsync(ctx, 200, store, updated, neg).ConfigureAwait(false);
    }
}
