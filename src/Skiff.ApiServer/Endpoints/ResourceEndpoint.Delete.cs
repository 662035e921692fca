using Skiff.Api.Errors;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Serialization;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints;

internal sealed partial class ResourceEndpoint
{
    private async Task DeleteAsync(HttpContext ctx, GenericStore store, string ns, string name, Security.UserInfo user, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: false);
        var options = await ReadDeleteOptionsAsync(ctx, ct).ConfigureAwait(false);
        options = options with { Admission = AdmissionFor(ctx, store.Descriptor, ns, "", user, options.DryRun) };
        var outcome = await store.DeleteAsync(ns, name, options, ct).ConfigureAwait(false);
        if (outcome.DeletedNow && !outcome.ReturnObject)
        {
            var d = store.Descriptor;
            await Responses.WriteAsync(ctx, 200, Responses.Success(name, d.Group, d.Resource, Meta.Str(outcome.Object, "uid") ?? ""), neg.Format).ConfigureAwait(false);
            return;
        }

        await Responses.WriteAsync(ctx, options.OrphanDependents == false && !outcome.DeletedNow ? 202 : 200, outcome.Object, neg.Format).ConfigureAwait(false);
    }

    private async Task DeleteCollectionAsync(HttpContext ctx, GenericStore store, string ns, Security.UserInfo user, CancellationToken ct)
    {
        var neg = Negotiation.Negotiate(ctx.Request.Headers.Accept, allowTransform: false);
        var q = ParseListQuery(ctx, watch: false);
        var options = await ReadDeleteOptionsAsync(ctx, ct).ConfigureAwait(false);
        options = options with { Admission = AdmissionFor(ctx, store.Descriptor, ns, "", user, options.DryRun) };
        var (items, revision) = await store.DeleteCollectionAsync(ns, q, options, ct).ConfigureAwait(false);
        var body = new JsonObject
        {
            ["kind"] = store.Descriptor.ListKind,
            ["apiVersion"] = store.Descriptor.GroupVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["items"] = ListItems(store.Descriptor, items),
        };
        await Responses.WriteAsync(ctx, 200, body, neg.Format).ConfigureAwait(false);
    }

    /// <summary>DeleteOptions from the body (JSON or YAML, with or without TypeMeta), else from the query.</summary>
    private async Task<DeleteOptions> ReadDeleteOptionsAsync(HttpContext ctx, CancellationToken ct)
    {
        var bytes = await ReadBodyAsync(ctx, ct).ConfigureAwait(false);
        JsonObject? body = null;
        if (bytes.Length > 0)
        {
            var essence = MediaType.Parse(ctx.Request.ContentType ?? "application/json")?.Essence ?? "application/json";
            var node = _decoders.TryGetValue(essence, out var decoder) && essence != "application/apply-patch+yaml"
                ? decoder.Decode(bytes)
                : JsonContentDecoder.Instance.Decode(bytes);
            body = node as JsonObject ?? throw StatusErrors.BadRequest("DeleteOptions must be an object");
            CheckDeleteOptionsTypes(body);
        }

        return ParseDeleteOptions(ctx, body);
    }

    /// <summary>
    /// 400 for a DeleteOptions body of another kind or with a field of the wrong type, as upstream's decoding into the
    /// Go struct answers (a delete must not go ahead with options it could not read).
    /// </summary>
    private static void CheckDeleteOptionsTypes(JsonObject body)
    {
        CheckTypeMeta(body, "DeleteOptions");
        string? Mismatch(string field, JsonNode? value, System.Text.Json.JsonValueKind expected, string goType)
        {
            if (value is null)
            {
                return null;
            }

            var kind = value.GetValueKind();
            var ok = expected == System.Text.Json.JsonValueKind.True ? kind is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False : kind == expected;
            if (ok && goType == "int64" && !long.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                ok = false;
            }

            return ok ? null : $"json: cannot unmarshal {value.ToJsonString()} into Go struct field DeleteOptions.{field} of type {goType}";
        }

        var preconditions = body["preconditions"];
        var error = Mismatch("apiVersion", body["apiVersion"], System.Text.Json.JsonValueKind.String, "string")
            ?? Mismatch("kind", body["kind"], System.Text.Json.JsonValueKind.String, "string")
            ?? Mismatch("gracePeriodSeconds", body["gracePeriodSeconds"], System.Text.Json.JsonValueKind.Number, "int64")
            ?? Mismatch("propagationPolicy", body["propagationPolicy"], System.Text.Json.JsonValueKind.String, "v1.DeletionPropagation")
            ?? Mismatch("orphanDependents", body["orphanDependents"], System.Text.Json.JsonValueKind.True, "bool")
            ?? Mismatch("dryRun", body["dryRun"], System.Text.Json.JsonValueKind.Array, "[]string")
            ?? Mismatch("preconditions", preconditions, System.Text.Json.JsonValueKind.Object, "v1.Preconditions")
            ?? Mismatch("preconditions.uid", (preconditions as JsonObject)?["uid"], System.Text.Json.JsonValueKind.String, "types.UID")
            ?? Mismatch("preconditions.resourceVersion", (preconditions as JsonObject)?["resourceVersion"], System.Text.Json.JsonValueKind.String, "string")
            ?? (body["dryRun"] as JsonArray)?.Select(x => Mismatch("dryRun", x, System.Text.Json.JsonValueKind.String, "string")).FirstOrDefault(m => m is not null);
        if (error is not null)
        {
            throw StatusErrors.BadRequest("DeleteOptions in version \"v1\" cannot be handled as a DeleteOptions: " + error);
        }
    }

    /// <summary>DeleteOptions from a decoded body (null: none) with the query parameters as fallback.</summary>
    private static DeleteOptions ParseDeleteOptions(HttpContext ctx, JsonObject? body)
    {
        long? grace = null;
        if (body?["gracePeriodSeconds"] is JsonValue g && g.TryGetValue<long>(out var gv))
        {
            grace = gv;
        }
        else if (body is null)
        {
            grace = QueryParameters.OptionalInt64(ctx.Request.Query, "gracePeriodSeconds");
        }

        var policy = body?["propagationPolicy"]?.GetValue<string>() ?? Query(ctx, "propagationPolicy");
        if (policy is not (null or "" or "Orphan" or "Background" or "Foreground"))
        {
            throw ServerErrors.InvalidOptions("DeleteOptions", [Skiff.Api.Validation.FieldError.NotSupported("propagationPolicy", $"\"{policy}\"", ["Foreground", "Background", "Orphan", "nil"])]);
        }

        bool? orphan = body?["orphanDependents"] is JsonValue o && o.TryGetValue<bool>(out var ov) ? ov
            : body is null ? QueryParameters.OptionalBool(ctx.Request.Query, "orphanDependents") : null;
        if (orphan is not null && !string.IsNullOrEmpty(policy))
        {
            throw ServerErrors.InvalidOptions("DeleteOptions", [Skiff.Api.Validation.FieldError.Invalid("propagationPolicy", $"\"{policy}\"", "orphanDependents and deletionPropagation cannot be both set")]);
        }

        var dryRunValues = body is not null
            ? (body["dryRun"] as JsonArray ?? []).Select(x => x is JsonValue v && v.TryGetValue<string>(out var t) ? t : "").ToList()
            : ctx.Request.Query["dryRun"].Select(v => v ?? "").ToList();
        if (dryRunValues.Any(v => v != "All"))
        {
            throw ServerErrors.InvalidOptions("DeleteOptions", [Skiff.Api.Validation.FieldError.NotSupported("dryRun", Skiff.Api.Validation.GoFormat.StringSlice(dryRunValues), ["All"])]);
        }

        var dryRun = dryRunValues.Count > 0;
        return new DeleteOptions
        {
            GracePeriodSeconds = grace,
            PropagationPolicy = string.IsNullOrEmpty(policy) ? null : policy,
            OrphanDependents = orphan,
            PreconditionUid = body?["preconditions"]?["uid"]?.GetValue<string>(),
            PreconditionResourceVersion = body?["preconditions"]?["resourceVersion"]?.GetValue<string>(),
            DryRun = dryRun,
        };
    }
}
