using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.ApiServer.Endpoints.Subresources;
using Skiff.ApiServer.Hosting;
using Skiff.ApiServer.Http;
using Skiff.Api.Selectors;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;
using Skiff.ApiServer.Serialization;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Endpoints;

/// <summary>Serves every resource request: maps HTTP verbs onto the resource's <see cref="GenericStore"/>.</summary>
internal sealed partial class ResourceEndpoint
{
    public const int MaxBodyBytes = 3 * 1024 * 1024;

    /// <summary>The longest warning text written; longer ones are truncated.</summary>
    private const int MaxWarningLength = 1024;

    /// <summary>The most warning text one response carries; further warnings are dropped.</summary>
    private const int MaxWarningBytes = 16 * 1024;

    private readonly ResourceRegistry _registry;
    private readonly ApiServerOptions _options;
    private readonly ConcurrentDictionary<ResourceDescriptor, GenericStore> _stores = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, IContentDecoder> _decoders = new(StringComparer.OrdinalIgnoreCase);
    private readonly Skiff.ApiServer.Admission.AdmissionChain _admission;

    public ResourceEndpoint(ResourceRegistry registry, ApiServerOptions options)
    {
        _registry = registry;
        _options = options;
        _admission = Skiff.ApiServer.Admission.AdmissionPluginCatalog.Build(options.EnableAdmissionPlugins, options.DisableAdmissionPlugins,
            new Skiff.ApiServer.Admission.AdmissionPluginContext(new Skiff.ApiServer.Admission.AdmissionReader(options.Storage), options.Clock, registry), options.ExtraAdmissionPlugins);
        foreach (var d in new IContentDecoder[] { JsonContentDecoder.Instance, YamlContentDecoder.Instance, ProtobufContentDecoder.Instance }.Concat(options.ExtraDecoders))
        {
            foreach (var mt in d.MediaTypes)
            {
                _decoders[mt] = d;
            }
        }
    }

    /// <summary>The admission chain every write goes through.</summary>
    public Skiff.ApiServer.Admission.AdmissionChain AdmissionPlugins => _admission;

    public GenericStore StoreFor(ResourceDescriptor d) => _stores.GetOrAdd(d, x =>
    {
        var schemas = _options.Schemas;
        return x.Custom
            ? new GenericStore(x, _options.Storage, _options.Clock, () => schemas?.ForKind(x.Group, x.Version, x.Kind), ConverterFor(x))
            : new GenericStore(x, _options.Storage, _options.Clock, schemas?.ForKind(x.Group, x.Version, x.Kind));
    });

    private Skiff.ApiServer.Webhooks.WebhookClient? _conversionClient;

    /// <summary>The conversion webhook of a custom resource whose CRD asks for one (null: conversion None).</summary>
    private IObjectConverter? ConverterFor(ResourceDescriptor d)
    {
        if (d.Strategy is not Skiff.ApiServer.CustomResources.CustomResourceStrategy { Conversion.Webhook: true } strategy)
        {
            return null;
        }

        var client = LazyInitializer.EnsureInitialized(ref _conversionClient,
            () => new Skiff.ApiServer.Webhooks.WebhookClient(new Skiff.ApiServer.Webhooks.WebhookServiceResolver(_options.Storage)));
        return new Skiff.ApiServer.CustomResources.CustomResourceWebhookConverter(strategy.Conversion, client);
    }

    /// <summary>Drops the stores of descriptors no longer served (a CRD deleted or changed); run on every registry change.</summary>
    public void EvictUnserved()
    {
        var served = _registry.All.ToHashSet(ReferenceEqualityComparer.Instance);
        foreach (var d in _stores.Keys)
        {
            if (!served.Contains(d))
            {
                _stores.TryRemove(d, out _);
            }
        }
    }

    /// <summary>
    /// Serves one resource request: a subresource, or a virtual resource, through its descriptor's
    /// <see cref="ISubresourceHandler"/>; a stored resource's own verbs through its <see cref="GenericStore"/>.
    /// </summary>
    public async Task HandleAsync(HttpContext ctx, RequestInfo info, UserInfo user, CancellationToken ct)
    {
        var d = _registry.Find(info.Group, info.Version, info.Resource) ?? throw ServerErrors.PageNotFound();
        var ns = d.Namespaced ? info.Namespace : "";
        if (!d.Namespaced && info.Resource != "namespaces" && info.Namespace.Length > 0)
        {
            throw ServerErrors.PageNotFound();
        }

        SubresourceDescriptor? sub = null;
        ISubresourceHandler? handler;
        if (info.Subresource.Length > 0)
        {
            // A subresource is its own route upstream: an unknown one is 404, a verb it does not register is the
            // router's 405. It never falls through to the parent's handlers.
            sub = d.Subresources.FirstOrDefault(s => s.Name == info.Subresource);
            if (sub is null)
            {
                throw ServerErrors.PageNotFound();
            }

            if (!sub.Verbs.Contains(info.Verb == "watch" ? "get" : info.Verb))
            {
                throw ServerErrors.MethodNotAllowedOnRoute();
            }

            handler = sub.Handler;
        }
        else if (!d.Verbs.Contains(info.Verb))
        {
            throw StatusErrors.MethodNotAllowed(d.Group, d.Resource, info.Verb);
        }
        else
        {
            handler = d.Handler;
        }

        CheckProtobufAcceptable(ctx, d);
        if (handler is not null)
        {
            if (!handler.Verbs.Contains(info.Verb))
            {
                throw StatusErrors.MethodNotAllowed(d.Group, sub is null ? d.Resource : $"{d.Resource}/{sub.Name}", info.Verb);
            }

            var call = new SubresourceCall { Http = ctx, Info = info, User = user, Resource = d, Subresource = sub, Namespace = ns, Name = info.Name, Endpoint = this };
            await handler.HandleAsync(call, ct).ConfigureAwait(false);
            return;
        }

        if (sub is not null)
        {
            // Listed but served by nothing: as if it were not listed.
            throw ServerErrors.PageNotFound();
        }

        var store = StoreFor(d);
        var name = info.Name;
        switch (info.Verb)
        {
            case "get":
                await GetAsync(ctx, store, ns, name, ct).ConfigureAwait(false);
                break;
            case "list":
                await ListAsync(ctx, store, ns, ct).ConfigureAwait(false);
                break;
            case "watch":
                await WatchAsync(ctx, store, ns, name, ct).ConfigureAwait(false);
                break;
            case "create":
                await CreateAsync(ctx, store, ns, user, ct).ConfigureAwait(false);
                break;
            case "update":
                await UpdateAsync(ctx, store, ns, name, "", user, ct).ConfigureAwait(false);
                break;
            case "patch":
                await PatchAsync(ctx, store, ns, name, "", user, ct).ConfigureAwait(false);
                break;
            case "delete":
                await DeleteAsync(ctx, store, ns, name, user, ct).ConfigureAwait(false);
                break;
            case "deletecollection":
                await DeleteCollectionAsync(ctx, store, ns, user, ct).ConfigureAwait(false);
                break;
            default:
                throw StatusErrors.MethodNotAllowed(d.Group, d.Resource, info.Verb);
        }
    }

    /// <summary>
    /// Kinds without a protobuf form (custom resources) are never served in protobuf: a client that accepts only
    /// protobuf gets 406 before anything is done (upstream's negotiation offers those kinds JSON and YAML only).
    /// </summary>
    private static void CheckProtobufAcceptable(HttpContext ctx, ResourceDescriptor d)
    {
        var accept = ctx.Request.Headers.Accept.ToString();
        if (!accept.Contains(Negotiation.Protobuf, StringComparison.OrdinalIgnoreCase)
            || Skiff.Api.Protobuf.ProtobufCodec.CanEncode(d.GroupVersion, d.Kind)
            || Negotiation.TextFallback(accept) is not null)
        {
            return;
        }

        throw StatusErrors.NotAcceptable(Negotiation.TextFormats);
    }

    /// <summary>The first value of a query parameter (as Go's conversion reads it), or null when absent.</summary>
    private static string? Query(HttpContext ctx, string name) => QueryParameters.First(ctx.Request.Query, name);

    /// <summary>A boolean query parameter as upstream converts it (see <see cref="QueryParameters.Bool"/>).</summary>
    private static bool QueryBool(HttpContext ctx, string name) => QueryParameters.Bool(ctx.Request.Query, name);

    /// <summary>Reads the body (at most 3 MiB) as bytes.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpContext ctx, CancellationToken ct)
    {
        var length = ctx.Request.ContentLength;
        if (length > MaxBodyBytes)
        {
            throw ServerErrors.BodyTooLarge(MaxBodyBytes);
        }

        // A declared length (every client sends one for a small object) is read straight into an array of that size.
        if (length is > 0 and var declared)
        {
            var exact = new byte[declared];
            var read = await ctx.Request.Body.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
            return read < exact.Length ? exact[..read] : exact; // the server never reads past Content-Length
        }

        using var ms = new MemoryStream();
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16384);
        try
        {
            while (true)
            {
                var n = await ctx.Request.Body.ReadAsync(buffer, ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                if (ms.Length + n > MaxBodyBytes)
                {
                    throw ServerErrors.BodyTooLarge(MaxBodyBytes);
                }

                ms.Write(buffer, 0, n);
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }

        return ms.ToArray();
    }

    /// <summary>Reads and decodes an object body by Content-Type; applies fieldValidation for duplicate and unknown fields.</summary>
    private async Task<JsonObject> ReadObjectAsync(HttpContext ctx, ResourceDescriptor d, CancellationToken ct)
    {
        var wall = WriteProfile.Wall();
        var bytes = await ReadBodyAsync(ctx, ct).ConfigureAwait(false);
        WriteProfile.EndWall(WritePhase.ReadBody, wall);
        var mark = WriteProfile.Cpu();
        var mt = MediaType.Parse(ctx.Request.ContentType ?? "application/json");
        var essence = mt?.Essence ?? "";
        if (essence.Length == 0 || essence == "application/apply-patch+yaml" || !_decoders.TryGetValue(essence, out var decoder))
        {
            var accepted = string.Join(", ", _decoders.Keys.Where(k => k != "application/apply-patch+yaml"));
            throw Negotiation.UnsupportedMediaType(accepted);
        }

        var duplicates = false;
        JsonNode? node;
        try
        {
            node = decoder is JsonContentDecoder json ? json.Decode(bytes, out duplicates) : decoder.Decode(bytes);
        }
        catch (StatusException e) when (e.Code == 400 && !d.Custom)
        {
            throw DecodeErrors.Unrecognized(d.Kind, e.Message, bytes);
        }

        if (node is not JsonObject obj)
        {
            var missing = "Object 'Kind' is missing in '" + System.Text.Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, 200))) + "'";
            throw d.Custom ? StatusErrors.BadRequest(missing)
                : DecodeErrors.Unrecognized(d.Kind, node is null ? missing : DecodeErrors.NotAnObject(node), bytes);
        }

        if (DecodeErrors.CheckKind(d, obj, _registry) is { } wrongKind)
        {
            throw wrongKind;
        }

        WriteProfile.EndCpu(WritePhase.Decode, mark);
        mark = WriteProfile.Cpu();
        var problems = new List<string>();
        if (duplicates)
        {
            problems.AddRange(JsonContentDecoder.FindDuplicateFields(bytes).Select(f => $"duplicate field \"{f}\""));
        }

        CheckFields(ctx, d, obj, problems);
        WriteProfile.EndCpu(WritePhase.FieldChecks, mark);
        return obj;
    }

    /// <summary>
    /// Checks <paramref name="obj"/> as upstream's decoding into the kind's Go struct does: a value of the wrong type is
    /// 400 (<c>ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal …</c>). Then applies
    /// the fieldValidation directive to decoding problems plus unknown fields: Strict → 400; Warn → a Warning header
    /// each; unknown fields are then dropped from the object (built-in kinds decode into typed structs upstream, so
    /// unknown fields are never stored).
    /// </summary>
    private void CheckFields(HttpContext ctx, ResourceDescriptor d, JsonObject obj, List<string> problems)
    {
        CheckTypes(_options.UnknownFieldDetector, d, obj);
        var mode = Query(ctx, "fieldValidation") ?? "Warn";
        if (mode is not ("Strict" or "Warn" or "Ignore"))
        {
            throw StatusErrors.BadRequest($"fieldValidation: Unsupported value: \"{mode}\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
        }

        var unknown = _options.UnknownFieldDetector?.FindUnknownFields(d, obj) ?? [];
        if (mode != "Ignore")
        {
            problems.AddRange(unknown.Select(f => $"unknown field \"{f.TrimStart('.')}\""));
            if (problems.Count > 0 && mode == "Strict")
            {
                throw StatusErrors.BadRequest("strict decoding error: " + string.Join(", ", problems));
            }

            // Each text once (the same unknown field a thousand times is one warning), and no more than
            // MaxWarningBytes in all: headers past 64 KiB are more than clients read (HttpClient's default limit).
            var total = 0;
            foreach (var p in problems.Distinct(StringComparer.Ordinal))
            {
                var header = WarningHeader(p.Length > MaxWarningLength ? p[..MaxWarningLength] + "…" : p);
                total += header.Length;
                if (total > MaxWarningBytes)
                {
                    break;
                }

                ctx.Response.Headers.Append("Warning", header);
            }
        }

        foreach (var path in unknown)
        {
            UnknownFieldPruner.Remove(obj, path);
        }
    }

    /// <summary>
    /// 400 when <paramref name="obj"/> names an apiVersion or kind other than the expected ones (an empty or absent
    /// one is defaulted), with upstream's messages; for bodies that no <see cref="GenericStore"/> stamps (reviews,
    /// bindings, evictions) and for patched objects.
    /// </summary>
    internal static void CheckTypeMeta(JsonObject obj, string kind, params string[] apiVersions)
    {
        var apiVersion = JsonString(obj["apiVersion"]);
        if (apiVersion.Length > 0 && apiVersions.Length > 0 && apiVersions[0].Length > 0 && !apiVersions.Contains(apiVersion))
        {
            throw StatusErrors.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({apiVersions[0]})");
        }

        var sent = JsonString(obj["kind"]);
        if (sent.Length > 0 && kind.Length > 0 && sent != kind)
        {
            throw StatusErrors.BadRequest($"the kind in the data ({sent}) does not match the expected kind ({kind})");
        }
    }

    /// <summary>A JSON string's value; "" for anything else.</summary>
    internal static string JsonString(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out var s) ? s : "";

    /// <summary>
    /// A <c>Warning</c> header value as upstream's <c>NewWarningHeader</c> makes it: <c>299 - "text"</c> with <c>"</c>
    /// and <c>\</c> escaped; control characters (possible in field names) become spaces, as Go's server writes them.
    /// </summary>
    internal static string WarningHeader(string text)
    {
        var sb = new System.Text.StringBuilder("299 - \"", text.Length + 10);
        foreach (var c in text)
        {
            if (c is '"' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(char.IsControl(c) ? ' ' : c);
        }

        return sb.Append('"').ToString();
    }

    /// <summary>400 for the first value of <paramref name="obj"/> of the wrong type for <paramref name="d"/>'s kind.</summary>
    internal static void CheckTypes(IUnknownFieldDetector? detector, ResourceDescriptor d, JsonObject obj)
    {
        if (detector?.FindFirstTypeError(d, obj) is { } error)
        {
            throw StatusErrors.BadRequest($"{d.Kind} in version \"{d.Version}\" cannot be handled as a {d.Kind}: {error}");
        }
    }

    /// <summary>
    /// Create/Update/PatchOptions from the query, validated as upstream's <c>Validate{Create,Update,Patch}Options</c>:
    /// a field manager over 128 bytes and any dryRun value but <c>All</c> are 422 Invalid
    /// (<c>CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"x"}: supported values: "All"</c>).
    /// </summary>
    private WriteOptions WriteOptionsFor(HttpContext ctx, string subresource, string optionsKind)
    {
        var errors = new List<Skiff.Api.Validation.FieldError>();
        var manager = Query(ctx, "fieldManager");
        if (manager is { Length: > 128 })
        {
            errors.Add(new Skiff.Api.Validation.FieldError(Skiff.Api.Validation.FieldErrorType.TooLong, "fieldManager", null, "must have at most 128 bytes"));
        }

        var dryRun = ctx.Request.Query["dryRun"].Select(v => v ?? "").ToList();
        if (dryRun.Any(v => v != "All"))
        {
            errors.Add(Skiff.Api.Validation.FieldError.NotSupported("dryRun", Skiff.Api.Validation.GoFormat.StringSlice(dryRun), ["All"]));
        }

        if (errors.Count > 0)
        {
            throw ServerErrors.InvalidOptions(optionsKind, errors);
        }

        if (string.IsNullOrEmpty(manager))
        {
            manager = PrefixFromUserAgent(ctx.Request.Headers.UserAgent.ToString());
        }

        return new WriteOptions(dryRun.Count > 0, manager, subresource);
    }

    /// <summary>Upstream's default manager: the User-Agent up to the first '/'.</summary>
    private static string PrefixFromUserAgent(string ua)
    {
        var slash = ua.IndexOf('/');
        var prefix = slash >= 0 ? ua[..slash] : ua;
        return prefix.Length > 128 ? prefix[..128] : prefix;
    }

    private static ListQuery ParseListQuery(HttpContext ctx, bool watch)
    {
        var rv = Query(ctx, "resourceVersion") ?? "";
        var match = Query(ctx, "resourceVersionMatch") ?? "";
        var cont = Query(ctx, "continue") ?? "";
        // Upstream decodes every parameter before validating any: garbage integers are a 400 with Go's text; a
        // limit of zero or less means no limit (the storage only pages when limit > 0).
        var limit = Math.Max(QueryParameters.OptionalInt64(ctx.Request.Query, "limit") ?? 0, 0);
        var timeoutSeconds = QueryParameters.OptionalInt64(ctx.Request.Query, "timeoutSeconds");
        var allowBookmarks = QueryBool(ctx, "allowWatchBookmarks");
        var sendInitial = QueryParameters.OptionalBool(ctx.Request.Query, "sendInitialEvents");
        var errors = new List<Skiff.Api.Validation.FieldError>();
        if (match.Length > 0)
        {
            if (match is not ("Exact" or "NotOlderThan"))
            {
                errors.Add(Skiff.Api.Validation.FieldError.NotSupported("resourceVersionMatch", $"\"{match}\"", ["Exact", "NotOlderThan", ""]));
            }
            else if (watch && sendInitial is null)
            {
                errors.Add(Skiff.Api.Validation.FieldError.Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided"));
            }
            else if (!watch && rv.Length == 0)
            {
                errors.Add(Skiff.Api.Validation.FieldError.Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden unless resourceVersion is provided"));
            }
            else if (cont.Length > 0)
            {
                errors.Add(Skiff.Api.Validation.FieldError.Forbidden("resourceVersionMatch", "resourceVersionMatch is forbidden when continue is provided"));
            }
            else if (match == "Exact" && rv == "0")
            {
                errors.Add(Skiff.Api.Validation.FieldError.Forbidden("resourceVersionMatch", "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\""));
            }
        }

        if (sendInitial is not null)
        {
            if (!watch)
            {
                errors.Add(Skiff.Api.Validation.FieldError.Forbidden("sendInitialEvents", "sendInitialEvents is forbidden for list"));
            }
            else if (match != "NotOlderThan")
            {
                errors.Add(Skiff.Api.Validation.FieldError.Forbidden("resourceVersionMatch", "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
            }
            else if (sendInitial == true && !allowBookmarks)
            {
                errors.Add(Skiff.Api.Validation.FieldError.Forbidden("allowWatchBookmarks", "sendInitialEvents requires setting allowWatchBookmarks to true"));
            }
        }

        if (cont.Length > 0 && rv.Length > 0 && rv != "0")
        {
            errors.Add(Skiff.Api.Validation.FieldError.Forbidden("resourceVersion", "specifying resource version is not allowed when using continue"));
        }

        if (errors.Count > 0)
        {
            throw ServerErrors.InvalidOptions("ListOptions", errors);
        }

        TimeSpan? timeout = null;
        if (timeoutSeconds is > 0 and < int.MaxValue)
        {
            timeout = TimeSpan.FromSeconds(timeoutSeconds.Value);
        }

        return new ListQuery
        {
            ResourceVersion = rv,
            ResourceVersionMatch = match,
            Limit = limit,
            Continue = cont,
            Labels = ParseSelector(() => LabelSelector.Parse(Query(ctx, "labelSelector"))),
            Fields = ParseSelector(() => FieldSelector.Parse(Query(ctx, "fieldSelector"))),
            AllowBookmarks = allowBookmarks,
            SendInitialEvents = sendInitial,
            Timeout = timeout,
        };
    }

    private static T ParseSelector<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (SelectorParseException e)
        {
            throw StatusErrors.BadRequest(e.Message);
        }
    }

    private static StatusException NameMismatch() => StatusErrors.BadRequest("fieldSelector metadata.name doesn't match requested name");
}
