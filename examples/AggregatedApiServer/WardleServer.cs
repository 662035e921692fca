using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Skiff.Examples.AggregatedApiServer;

/// <summary>
/// A minimal extension API server in the spirit of upstream's sample-apiserver: it serves the group
/// <c>wardle.example.com/v1alpha1</c> with one namespaced kind, Flunder, kept in memory (get, list, create, delete),
/// with discovery and Table output, over HTTPS. Every <c>/apis</c> request must come from the aggregator: a client
/// certificate that <see cref="FrontProxyAuthentication"/> trusts, with the user in the X-Remote-* headers; the user
/// who created a flunder is recorded in its <c>wardle.example.com/created-by</c> and <c>created-by-groups</c> annotations.
/// </summary>
public sealed class WardleServer : IAsyncDisposable
{
    /// <summary>The served group.</summary>
    public const string Group = "wardle.example.com";

    /// <summary>The served version.</summary>
    public const string Version = "v1alpha1";

    private const string Prefix = "/apis/" + Group + "/" + Version;
    private readonly ConcurrentDictionary<(string Namespace, string Name), JsonObject> _flunders = new();
    private readonly FrontProxyAuthentication _authentication;
    private readonly X509Certificate2 _certificate;
    private WebApplication? _app;
    private long _revision;

    /// <summary>Creates a server that serves with <paramref name="certificate"/> and trusts callers by <paramref name="authentication"/>.</summary>
    public WardleServer(X509Certificate2 certificate, FrontProxyAuthentication authentication)
    {
        _certificate = certificate;
        _authentication = authentication;
    }

    /// <summary>The bound port (after start).</summary>
    public int Port { get; private set; }

    /// <summary>Starts listening on 127.0.0.1:<paramref name="port"/> (0 = a free port).</summary>
    public async Task StartAsync(int port, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = _certificate,
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            ClientCertificateValidation = (_, _, _) => true,
        })));
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync(ct).ConfigureAwait(false);
        _app = app;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Port = new Uri(address).Port;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }

    private async Task HandleAsync(HttpContext ctx)
    {
        var path = ctx.Request.Path.Value ?? "/";
        if (path is "/healthz" or "/readyz" or "/livez")
        {
            await ctx.Response.WriteAsync("ok", ctx.RequestAborted).ConfigureAwait(false);
            return;
        }

        var certificate = await ctx.Connection.GetClientCertificateAsync(ctx.RequestAborted).ConfigureAwait(false);
        if (_authentication.Authenticate(certificate, ctx.Request.Headers) is not { } user)
        {
            await WriteAsync(ctx, 401, Status(401, "Unauthorized", "Unauthorized")).ConfigureAwait(false);
            return;
        }

        var parts = path.Trim('/').Split('/');
        var get = HttpMethods.IsGet(ctx.Request.Method);
        switch (parts)
        {
            case ["apis"] when get:
                await WriteAsync(ctx, 200, new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = new JsonArray(ApiGroup()) }).ConfigureAwait(false);
                return;
            case ["apis", Group] when get:
                await WriteAsync(ctx, 200, ApiGroup()).ConfigureAwait(false);
                return;
            case ["apis", Group, Version] when get:
                await WriteAsync(ctx, 200, ResourceList()).ConfigureAwait(false);
                return;
            case ["apis", Group, Version, "flunders"] when get:
                await ListAsync(ctx, null).ConfigureAwait(false);
                return;
            case ["apis", Group, Version, "namespaces", var ns, "flunders"] when get:
                await ListAsync(ctx, ns).ConfigureAwait(false);
                return;
            case ["apis", Group, Version, "namespaces", var ns, "flunders"] when HttpMethods.IsPost(ctx.Request.Method):
                await CreateAsync(ctx, ns, user.Name, user.Groups).ConfigureAwait(false);
                return;
            case ["apis", Group, Version, "namespaces", var ns, "flunders", var name] when get:
                await (_flunders.TryGetValue((ns, name), out var found) ? WriteAsync(ctx, 200, found) : NotFoundAsync(ctx, name)).ConfigureAwait(false);
                return;
            case ["apis", Group, Version, "namespaces", var ns, "flunders", var name] when HttpMethods.IsDelete(ctx.Request.Method):
                await (_flunders.TryRemove((ns, name), out var removed) ? WriteAsync(ctx, 200, removed) : NotFoundAsync(ctx, name)).ConfigureAwait(false);
                return;
            default:
                await WriteAsync(ctx, 404, Status(404, "NotFound", "the server could not find the requested resource")).ConfigureAwait(false);
                return;
        }
    }

    private async Task CreateAsync(HttpContext ctx, string ns, string user, IReadOnlyList<string> groups)
    {
        var body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted).ConfigureAwait(false) as JsonObject;
        var name = body?["metadata"]?["name"]?.GetValue<string>();
        if (body is null || string.IsNullOrEmpty(name) || body["kind"]?.GetValue<string>() != "Flunder")
        {
            await WriteAsync(ctx, 400, Status(400, "BadRequest", "a Flunder with metadata.name is required")).ConfigureAwait(false);
            return;
        }

        var metadata = (JsonObject)body["metadata"]!;
        metadata["namespace"] = ns;
        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["resourceVersion"] = Interlocked.Increment(ref _revision).ToString(CultureInfo.InvariantCulture);
        metadata["creationTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var annotations = metadata["annotations"] as JsonObject ?? [];
        annotations[Group + "/created-by"] = user;
        annotations[Group + "/created-by-groups"] = string.Join(',', groups);
        metadata["annotations"] = annotations;
        if (!_flunders.TryAdd((ns, name), body))
        {
            await WriteAsync(ctx, 409, Status(409, "AlreadyExists", $"flunders.{Group} \"{name}\" already exists", name)).ConfigureAwait(false);
            return;
        }

        await WriteAsync(ctx, 201, body).ConfigureAwait(false);
    }

    private async Task ListAsync(HttpContext ctx, string? ns)
    {
        var items = _flunders.Where(kv => ns is null || kv.Key.Namespace == ns).OrderBy(kv => kv.Key).Select(kv => kv.Value).ToList();
        var revision = Interlocked.Read(ref _revision).ToString(CultureInfo.InvariantCulture);
        if (ctx.Request.Headers.Accept.ToString().Contains("as=Table", StringComparison.Ordinal))
        {
            var now = DateTimeOffset.UtcNow;
            var rows = items.Select(f => (JsonNode)new JsonObject
            {
                ["cells"] = new JsonArray(f["metadata"]!["name"]!.GetValue<string>(), Age(f, now)),
                ["object"] = new JsonObject { ["kind"] = "PartialObjectMetadata", ["apiVersion"] = "meta.k8s.io/v1", ["metadata"] = f["metadata"]!.DeepClone() },
            }).ToArray();
            await WriteAsync(ctx, 200, new JsonObject
            {
                ["kind"] = "Table",
                ["apiVersion"] = "meta.k8s.io/v1",
                ["metadata"] = new JsonObject { ["resourceVersion"] = revision },
                ["columnDefinitions"] = new JsonArray(
                    new JsonObject { ["name"] = "Name", ["type"] = "string", ["format"] = "name", ["description"] = "Name of the flunder.", ["priority"] = 0 },
                    new JsonObject { ["name"] = "Age", ["type"] = "string", ["format"] = "", ["description"] = "Time since creation.", ["priority"] = 0 }),
                ["rows"] = new JsonArray(rows),
            }).ConfigureAwait(false);
            return;
        }

        await WriteAsync(ctx, 200, new JsonObject
        {
            ["kind"] = "FlunderList",
            ["apiVersion"] = Group + "/" + Version,
            ["metadata"] = new JsonObject { ["resourceVersion"] = revision },
            ["items"] = new JsonArray(items.Select(i => (JsonNode)i.DeepClone()).ToArray()),
        }).ConfigureAwait(false);
    }

    private static string Age(JsonObject flunder, DateTimeOffset now)
    {
        var created = DateTimeOffset.Parse(flunder["metadata"]!["creationTimestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture);
        var age = now - created;
        return age.TotalMinutes < 2 ? $"{(int)age.TotalSeconds}s" : $"{(int)age.TotalMinutes}m";
    }

    private static JsonObject ApiGroup() => new()
    {
        ["kind"] = "APIGroup",
        ["apiVersion"] = "v1",
        ["name"] = Group,
        ["versions"] = new JsonArray(new JsonObject { ["groupVersion"] = Group + "/" + Version, ["version"] = Version }),
        ["preferredVersion"] = new JsonObject { ["groupVersion"] = Group + "/" + Version, ["version"] = Version },
    };

    private static JsonObject ResourceList() => new()
    {
        ["kind"] = "APIResourceList",
        ["apiVersion"] = "v1",
        ["groupVersion"] = Group + "/" + Version,
        ["resources"] = new JsonArray(new JsonObject
        {
            ["name"] = "flunders",
            ["singularName"] = "flunder",
            ["namespaced"] = true,
            ["kind"] = "Flunder",
            ["verbs"] = new JsonArray("create", "delete", "get", "list"),
            ["shortNames"] = new JsonArray("fl"),
        }),
    };

    private static Task NotFoundAsync(HttpContext ctx, string name) =>
        WriteAsync(ctx, 404, Status(404, "NotFound", $"flunders.{Group} \"{name}\" not found", name));

    private static JsonObject Status(int code, string reason, string message, string? name = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        };
        if (name is not null)
        {
            status["details"] = new JsonObject { ["name"] = name, ["group"] = Group, ["kind"] = "flunders" };
        }

        return status;
    }

    private static async Task WriteAsync(HttpContext ctx, int status, JsonObject body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString(), ctx.RequestAborted).ConfigureAwait(false);
    }
}
