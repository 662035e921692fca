using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Skiff.Api.Errors;
using Skiff.ApiServer.Discovery;
using Skiff.ApiServer.Endpoints;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Hosting;

/// <summary>
/// The request pipeline: authentication, then /version, health, discovery, extensions (OpenAPI) and resource
/// routes. Every failure becomes an upstream-shaped Status; unexpected exceptions become a 500 InternalError
/// without a stack trace.
/// </summary>
internal sealed class ApiHandler(ApiServerOptions options, ResourceRegistry registry, Authenticator authenticator, ResourceEndpoint resources,
    Skiff.ApiServer.Metrics.ApiServerMetrics metrics, HealthChecks health, ILogger logger, Skiff.ApiServer.Authorization.AuthorizationGate? authorization = null,
    Skiff.ApiServer.Aggregation.Aggregator? aggregator = null, Skiff.ApiServer.FlowControl.FlowController? flowControl = null)
{
    public static JsonObject VersionInfo() => new()
    {
        ["major"] = "1",
        ["minor"] = "32",
        ["gitVersion"] = "v1.32.4-skiff",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2025-01-01T00:00:00Z",
        ["goVersion"] = "dotnet" + Environment.Version,
        ["compiler"] = "gc",
        ["platform"] = $"{(OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "darwin" : "linux")}/{(RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64")}",
    };

    public async Task HandleAsync(HttpContext ctx)
    {
        var ct = ctx.RequestAborted;
        var path = ctx.Request.Path.Value ?? "/";
        var info = RequestInfo.Parse(ctx.Request.Method, path, QueryParameters.Bool(ctx.Request.Query, "watch"));
        using var timing = metrics.BeginRequest(ctx, info);
        try
        {
            await HandleCoreAsync(ctx, info, ct).ConfigureAwait(false);
        }
        catch (StatusException e)
        {
            await TryWriteStatusAsync(ctx, e).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Client went away.
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException e)
        {
            await TryWriteStatusAsync(ctx, e.StatusCode == 413 ? ServerErrors.BodyTooLarge(ResourceEndpoint.MaxBodyBytes) : StatusErrors.BadRequest(e.Message)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            logger.LogError(e, "unhandled error serving {Method} {Path}", ctx.Request.Method, ctx.Request.Path);
            await TryWriteStatusAsync(ctx, StatusErrors.InternalError(e.Message)).ConfigureAwait(false);
        }
    }

    /// <summary>True when the request is authenticated (and authorized, when enforced); otherwise writes the 401 or 403 Status and returns false.</summary>
    public async Task<bool> AuthenticateOrRejectAsync(HttpContext ctx)
    {
        var user = await authenticator.AuthenticateAsync(ctx, ctx.RequestAborted).ConfigureAwait(false);
        if (authorization is not null)
        {
            try
            {
                var info = RequestInfo.Parse(ctx.Request.Method, ctx.Request.Path.Value ?? "/", false);
                await authorization.AuthorizeAsync(ctx, info, user, ctx.RequestAborted).ConfigureAwait(false);
                return true;
            }
            catch (StatusException e)
            {
                await TryWriteStatusAsync(ctx, e).ConfigureAwait(false);
                return false;
            }
        }

        if (user is not null)
        {
            return true;
        }

        await TryWriteStatusAsync(ctx, StatusErrors.Unauthorized()).ConfigureAwait(false);
        return false;
    }

    private static async Task TryWriteStatusAsync(HttpContext ctx, StatusException e)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }

        ctx.Response.Headers.Remove("Warning");
        if (Skiff.ApiServer.Audit.AuditContext.Current is { } audit)
        {
            audit.Failure = e;
        }

        // Warnings admission plugins added stay on a refusal (upstream writes them as they are added).
        if (ctx.Items[Admission.AdmissionWarnings.ItemKey] is List<string> admissionWarnings)
        {
            foreach (var header in admissionWarnings)
            {
                ctx.Response.Headers.Append("Warning", header);
            }
        }

        await Responses.WriteStatusAsync(ctx, e).ConfigureAwait(false);
    }

    private async Task HandleCoreAsync(HttpContext ctx, RequestInfo info, CancellationToken ct)
    {
        var path = ctx.Request.Path.Value ?? "/";
        var user = await authenticator.AuthenticateAsync(ctx, ct).ConfigureAwait(false);
        var isPublic = path is "/version" or "/version/" || IsHealthPath(path);
        if (authorization is not null)
        {
            var context = await authorization.AuthorizeAsync(ctx, info, user, ct).ConfigureAwait(false);
            Skiff.ApiServer.Authorization.RequestAuthorization.Current = context;
            user = context.User;
        }
        else
        {
            Skiff.ApiServer.Audit.AuditContext.Current?.Authenticated(user);
        }

        if (authorization is null && user is null && !isPublic)
        {
            throw StatusErrors.Unauthorized();
        }

        using var admission = flowControl is null ? null : await flowControl.AdmitAsync(ctx, info, user, ct).ConfigureAwait(false);
        if (admission is { Admitted: false })
        {
            return;
        }

        if (path is "/version" or "/version/")
        {
            await Responses.WriteAsync(ctx, 200, VersionInfo()).ConfigureAwait(false);
            return;
        }

        if (IsHealthPath(path))
        {
            await HealthAsync(ctx, path, ct).ConfigureAwait(false);
            return;
        }

        foreach (var ext in options.Extensions)
        {
            if (await ext.TryHandleAsync(ctx, ct).ConfigureAwait(false))
            {
                return;
            }
        }

        if (path is "/metrics" && (HttpMethods.IsGet(ctx.Request.Method) || HttpMethods.IsHead(ctx.Request.Method)))
        {
            await metrics.WriteAsync(ctx, ct).ConfigureAwait(false);
            return;
        }

        if (aggregator is not null && user is not null && path.StartsWith("/apis/", StringComparison.Ordinal)
            && await aggregator.TryHandleAsync(ctx, path, user, group => registry.All.Any(d => d.Group == group), ct).ConfigureAwait(false))
        {
            return;
        }

        if (info.IsResourceRequest)
        {
            await resources.HandleAsync(ctx, info, user!, ct).ConfigureAwait(false);
            return;
        }

        if (await TryDiscoveryAsync(ctx, path).ConfigureAwait(false))
        {
            return;
        }

        throw ServerErrors.PageNotFound();
    }

    private static bool IsHealthPath(string path) =>
        path is "/healthz" or "/livez" or "/readyz" || path.StartsWith("/healthz/", StringComparison.Ordinal)
        || path.StartsWith("/livez/", StringComparison.Ordinal) || path.StartsWith("/readyz/", StringComparison.Ordinal);

    private async Task HealthAsync(HttpContext ctx, string path, CancellationToken ct)
    {
        var kind = path.TrimStart('/').Split('/')[0];
        var check = path.TrimStart('/').Split('/').ElementAtOrDefault(1);
        var checks = new List<(string Name, bool Ok)>();
        foreach (var (name, run) in health.For(kind))
        {
            bool passed;
            try
            {
                passed = await run(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                passed = false;
            }

            checks.Add((name, passed));
        }

        if (check is { Length: > 0 })
        {
            var found = checks.FirstOrDefault(c => c.Name == check);
            if (found.Name is null)
            {
                throw ServerErrors.PageNotFound();
            }

            checks = [found];
        }

        var ok = checks.All(c => c.Ok);
        ctx.Response.StatusCode = ok ? 200 : 500;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        ctx.Response.Headers["X-Content-Type-Options"] = "nosniff";
        if (!ctx.Request.Query.ContainsKey("verbose"))
        {
            var failed = checks.Where(c => !c.Ok).Select(c => $"[-]{c.Name} failed: reason withheld\n");
            await ctx.Response.WriteAsync(ok ? "ok" : string.Concat(failed) + $"{kind} check failed", ct).ConfigureAwait(false);
            return;
        }

        var sb = new StringBuilder();
        foreach (var (name, good) in checks)
        {
            sb.Append(good ? $"[+]{name} ok\n" : $"[-]{name} failed: reason withheld\n");
        }

        sb.Append(ok ? $"{kind} check passed\n" : $"{kind} check failed\n");
        await ctx.Response.WriteAsync(sb.ToString(), ct).ConfigureAwait(false);
    }

    private async Task<bool> TryDiscoveryAsync(HttpContext ctx, string path)
    {
        if (!HttpMethods.IsGet(ctx.Request.Method) && !HttpMethods.IsHead(ctx.Request.Method))
        {
            return false;
        }

        var parts = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        var all = registry.All;
        switch (parts)
        {
            case ["api"] or ["apis"]:
            {
                var core = parts[0] == "api";
                var aggregated = AggregatedVersion(ctx.Request.Headers.Accept);
                if (aggregated is not null)
                {
                    var doc = DiscoveryDocuments.Aggregated(all, core, $"apidiscovery.k8s.io/{aggregated}");
                    if (!core)
                    {
                        aggregator?.Discovery.MergeAggregated(doc);
                    }

                    await Responses.WriteAsync(ctx, 200, doc, contentType: aggregated == "v2" ? DiscoveryDocuments.AggregatedV2ContentType : DiscoveryDocuments.AggregatedV2Beta1ContentType).ConfigureAwait(false);
                }
                else
                {
                    var host = ctx.Request.Host.Value ?? "127.0.0.1";
                    var doc = core ? DiscoveryDocuments.ApiVersions(host) : DiscoveryDocuments.ApiGroupList(all);
                    if (!core)
                    {
                        aggregator?.Discovery.MergeGroupList(doc);
                    }

                    await Responses.WriteAsync(ctx, 200, doc).ConfigureAwait(false);
                }

                return true;
            }

            case ["api", "v1"]:
                await Responses.WriteAsync(ctx, 200, DiscoveryDocuments.ApiResourceList("", "v1", all)).ConfigureAwait(false);
                return true;
            case ["apis", var group]:
            {
                var g = DiscoveryDocuments.Groups(all).FirstOrDefault(x => x.Group == group);
                if (g.Group is null)
                {
                    return false;
                }

                await Responses.WriteAsync(ctx, 200, DiscoveryDocuments.ApiGroup(g.Group, g.Versions)).ConfigureAwait(false);
                return true;
            }

            case ["apis", var group, var version]:
                if (!all.Any(d => d.Group == group && d.Version == version))
                {
                    return false;
                }

                await Responses.WriteAsync(ctx, 200, DiscoveryDocuments.ApiResourceList(group, version, all)).ConfigureAwait(false);
                return true;
            default:
                return false;
        }
    }

    /// <summary>"v2" or "v2beta1" when the Accept header asks for aggregated discovery (first match wins), else null.</summary>
    private static string? AggregatedVersion(string? accept)
    {
        foreach (var mt in MediaType.ParseAccept(accept))
        {
            if (mt.Essence != "application/json")
            {
                continue;
            }

            if (mt["as"] is null)
            {
                return null;
            }

            if (mt["g"] == "apidiscovery.k8s.io" && mt["as"] == "APIGroupDiscoveryList" && mt["v"] is "v2" or "v2beta1")
            {
                return mt["v"];
            }
        }

        return null;
    }
}
