using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.ApiServer.Hosting;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Interim;
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

    private readonly ResourceRegistry _registry;
    private readonly ApiServerOptions _options;
    private readonly ConcurrentDictionary<ResourceDescriptor, GenericStore> _stores = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, IContentDecoder> _decoders = new(StringComparer.OrdinalIgnoreCase);

    public ResourceEndpoint(ResourceRegistry registry, ApiServerOptions options)
    {
        _registry = registry;
        _options = options;
        foreach (var d in new IContentDecoder[] { JsonContentDecoder.Instance, YamlContentDecoder.Instance, ProtobufContentDecoder.Instance }.Concat(options.ExtraDecoders))
        {
            foreach (var mt in d.MediaTypes)
            {
                _decoders[mt] = d;
            }
        }
    }

    public GenericStore StoreFor(ResourceDescriptor d) => _stores.GetOrAdd(d, x => new GenericStore(x, _options.Storage, _options.Clock));

    public async Task HandleAsync(HttpContext ctx, RequestInfo info, UserInfo user, CancellationToken ct)
    {
        var d = _registry.Find(info.Group, info.Version, info.Resource) ?? throw Errors.PageNotFound();
        var store = StoreFor(d);
        var ns = d.Namespaced ? info.Namespace : "";
        if (!d.Namespaced && info.Resource != "namespaces" && info.Namespace.Length > 0)
        {
            throw Errors.PageNotFound();
        }

        if (info.Subresource.Length > 0)
        {
            if (!d.Subresources.Any(s => s.Name == info.Subresource) && !(d.Resource == "namespaces" && info.Subresource == "finalize"))
            {
                throw Errors.PageNotFound();
            }
        }
        else if (!d.Verbs.Contains(info.Verb))
        {
            throw Errors.MethodNotSupported(d.Group, d.Resource, info.Verb);
        }

        var name = info.Name;
        if (d.Resource == "namespaces" && d.Group.Length == 0)
        {
            name = info.Name.Length > 0 ? info.Name : "";
        }

        switch (info.Verb)
        {
            case "get" when info.Subresource == "scale":
                await GetScaleAsync(ctx, store, ns, name, ct).ConfigureAwait(false);
                break;
            case "get":
                await GetAsync(ctx, store, ns, name, ct).ConfigureAwait(false);
                break;
            case "list":
                await ListAsync(ctx, store, ns, ct).ConfigureAwait(false);
                break;
            case "watch":
                await WatchAsync(ctx, store, ns, name, ct).ConfigureAwait(false);
                break;
            case "create" when info.Subresource.Length == 0:
                await CreateAsync(ctx, store, ns, user, ct).ConfigureAwait(false);
                break;
            case "update" when info.Subresource is "" or "status" or "finalize" or "scale":
                await UpdateAsync(ctx, store, ns, name, info.Subresource, user, ct).ConfigureAwait(false);
                break;
            case "patch" when info.Subresource is "" or "status" or "scale":
                await PatchAsync(ctx, store, ns, name, info.Subresource, user, ct).ConfigureAwait(false);
                break;
            case "delete" when info.Subresource.Length == 0:
                await DeleteAsync(ctx, store, ns, name, ct).ConfigureAwait(false);
                break;
            case "deletecollection":
                await DeleteCollectionAsync(ctx, store, ns, ct).ConfigureAwait(false);
                break;
            default:
                throw Errors.MethodNotSupported(d.Group, info.Subresource.Length > 0 ? $"{d.Resource}/{info.Subresource}" : d.Resource, info.Verb);
        }
    }

    private static string? Query(HttpContext ctx, string name) => ctx.Request.Query.TryGetValue(name, out var v) ? v.ToString() : null;

    private static bool QueryBool(HttpContext ctx, string name) => Query(ctx, name) is "true" or "1" or "True";

    /// <summary>Reads the body (at most 3 MiB) as bytes.</summary>
    private static async Task<byte[]> ReadBodyAsync(HttpContext ctx, CancellationToken ct)
    {
        if (ctx.Request.ContentLength > MaxBodyBytes)
        {
            throw Errors.RequestEntityTooLarge(MaxBodyBytes);
        }

        using var ms = new MemoryStream();
        var buffer = new byte[81920];
        while (true)
        {
            var n = await ctx.Request.Body.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            if (ms.Length + n > MaxBodyBytes)
            {
                throw Errors.RequestEntityTooLarge(MaxBodyBytes);
            }

            ms.Write(buffer, 0, n);
        }

        return ms.ToArray();
    }

    /// <summary>Reads and decodes an object body by Content-Type; applies fieldValidation for duplicate and unknown fields.</summary>
    private async Task<JsonObject> ReadObjectAsync(HttpContext ctx, ResourceDescriptor d, CancellationToken ct)
    {
        var bytes = await ReadBodyAsync(ctx, ct).ConfigureAwait(false);
        var mt = MediaType.Parse(ctx.Request.ContentType ?? "application/json");
        var essence = mt?.Essence ?? "";
        if (essence.Length == 0 || essence == "application/apply-patch+yaml" || !_decoders.TryGetValue(essence, out var decoder))
        {
            var accepted = string.Join(", ", _decoders.Keys.Where(k => k != "application/apply-patch+yaml"));
            throw Negotiation.UnsupportedMediaType(accepted);
        }

        var node = decoder.Decode(bytes);
        if (node is not JsonObject obj)
        {
            throw Errors.BadRequest("Object 'Kind' is missing in '" + System.Text.Encoding.UTF8.GetString(bytes.AsSpan(0, Math.Min(bytes.Length, 200))) + "'");
        }

        var problems = new List<string>();
        if (essence == "application/json")
        {
            problems.AddRange(JsonContentDecoder.FindDuplicateFields(bytes).Select(f => $"duplicate field \"{f}\""));
        }

        CheckFields(ctx, d, obj, problems);
        return obj;
    }

    /// <summary>Applies the fieldValidation directive to decoding problems plus unknown fields of <paramref name="obj"/>.</summary>
    private void CheckFields(HttpContext ctx, ResourceDescriptor d, JsonObject obj, List<string> problems)
    {
        var mode = Query(ctx, "fieldValidation") ?? "Warn";
        if (mode is not ("Strict" or "Warn" or "Ignore"))
        {
            throw Errors.BadRequest($"fieldValidation: Unsupported value: \"{mode}\": supported values: \"Ignore\", \"Strict\", \"Warn\"");
        }

        if (mode == "Ignore")
        {
            return;
        }

        if (_options.UnknownFieldDetector is { } detector)
        {
            problems.AddRange(detector.FindUnknownFields(d, obj).Select(f => $"unknown field \"{f.TrimStart('.')}\""));
        }

        if (problems.Count == 0)
        {
            return;
        }

        if (mode == "Strict")
        {
            throw Errors.BadRequest("strict decoding error: " + string.Join(", ", problems));
        }

        foreach (var p in problems)
        {
            ctx.Response.Headers.Append("Warning", $"299 - \"{p.Replace("\"", "\\\"")}\"");
        }
    }

    private WriteOptions WriteOptionsFor(HttpContext ctx, string subresource)
    {
        var dryRun = ctx.Request.Query["dryRun"];
        foreach (var v in dryRun)
        {
            if (v != "All")
            {
                throw Errors.BadRequest($"dryRun: Unsupported value: \"{v}\": supported values: \"All\"");
            }
        }

        var manager = Query(ctx, "fieldManager");
        if (string.IsNullOrEmpty(manager))
        {
            manager = PrefixFromUserAgent(ctx.Request.Headers.UserAgent.ToString());
        }
        else if (manager.Length > 128)
        {
            throw Errors.BadRequest("fieldManager: Too long: must have at most 128 bytes");
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
        var limitText = Query(ctx, "limit");
        long limit = 0;
        if (!string.IsNullOrEmpty(limitText) && (!long.TryParse(limitText, out limit) || limit < 0))
        {
            throw Errors.BadRequest($"limit: Invalid value: \"{limitText}\"");
        }

        bool? sendInitial = Query(ctx, "sendInitialEvents") switch
        {
            null or "" => null,
            "true" or "1" => true,
            _ => false,
        };
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
            else if (sendInitial == true && !QueryBool(ctx, "allowWatchBookmarks"))
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
            throw Errors.InvalidOptions("ListOptions", errors);
        }

        TimeSpan? timeout = null;
        if (Query(ctx, "timeoutSeconds") is { Length: > 0 } ts && long.TryParse(ts, out var secs) && secs > 0)
        {
            timeout = TimeSpan.FromSeconds(secs);
        }

        return new ListQuery
        {
            ResourceVersion = rv,
            ResourceVersionMatch = match,
            Limit = limit,
            Continue = cont,
            Labels = ParseSelector(() => LabelSelector.Parse(Query(ctx, "labelSelector"))),
            Fields = ParseSelector(() => FieldSelector.Parse(Query(ctx, "fieldSelector"))),
            AllowBookmarks = QueryBool(ctx, "allowWatchBookmarks"),
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
            throw Errors.BadRequest(e.Message);
        }
    }

    private static StatusException NameMismatch() => Errors.BadRequest("fieldSelector metadata.name doesn't match requested name");
}
