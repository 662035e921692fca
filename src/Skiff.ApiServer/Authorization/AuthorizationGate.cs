using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Security;
using Skiff.ApiServer.Serialization;
using Skiff.Storage;

namespace Skiff.ApiServer.Authorization;

/// <summary>
/// The authorization step of the handler chain (upstream <c>endpoints/filters/authorization.go</c>, after
/// authentication): a request without credentials becomes <c>system:anonymous</c> in <c>system:unauthenticated</c>
/// (bad credentials stay 401); <see cref="Impersonation"/> headers switch the user when allowed; the authorizer chain must allow the request, else upstream's 403; then
/// NodeRestriction; and the request's <see cref="RequestAuthorization"/> context is set for the write path.
/// </summary>
public sealed class AuthorizationGate(IAuthorizer authorizer, RbacCache rbac, NodeGraph graph, IStorage storage)
{
    /// <summary>The anonymous user's name.</summary>
    public const string AnonymousUser = "system:anonymous";

    /// <summary>The anonymous user's group.</summary>
    public const string UnauthenticatedGroup = "system:unauthenticated";

    /// <summary>The authorizer chain.</summary>
    public IAuthorizer Authorizer => authorizer;

    /// <summary>The RBAC cache.</summary>
    public RbacCache Rbac => rbac;

    /// <summary>The Node authorizer's graph.</summary>
    public NodeGraph Graph => graph;

    /// <summary>The anonymous user.</summary>
    public static UserInfo Anonymous { get; } = new(AnonymousUser, null, [UnauthenticatedGroup]);

    /// <summary>
    /// Authorizes the request of <paramref name="ctx"/> for <paramref name="user"/> (null: no valid credentials).
    /// Returns the request's authorization context (the caller makes it <see cref="RequestAuthorization.Current"/>:
    /// an async-local set inside this method would not flow back); throws the 401 or 403 Status otherwise.
    /// </summary>
    public async Task<RequestAuthorization> AuthorizeAsync(HttpContext ctx, RequestInfo info, UserInfo? user, CancellationToken ct)
    {
        if (user is null)
        {
            if (ctx.Request.Headers.Authorization.Count > 0 || ctx.Connection.ClientCertificate is not null)
            {
                Skiff.ApiServer.Audit.AuditContext.Current?.Authenticated(null);
                throw StatusErrors.Unauthorized();
            }

            user = Anonymous;
        }

        var audit = Skiff.ApiServer.Audit.AuditContext.Current;
        audit?.Authenticated(user);
        var authenticated = user;
        user = Impersonation.Apply(ctx.Request.Headers, user, authorizer);
        if (!ReferenceEquals(user, authenticated))
        {
            audit?.Impersonated(user);
        }

        var attributes = AuthorizationAttributes.From(user, info);
        if (attributes.IsResourceRequest && attributes.Name.Length == 0 && attributes.Verb is "list" or "watch"
            && NameFromFieldSelector(ctx.Request.Query["fieldSelector"].ToString()) is { } selected)
        {
            // As upstream's RequestInfoFactory: a list or watch of one object by metadata.name carries that name.
            attributes = attributes with { Name = selected };
        }

        var started = Admission.AdmissionProfile.Start();
        var result = authorizer.Authorize(attributes);
        Admission.AdmissionProfile.End("authorize", started, true);
        if (!result.Allowed && NodeAuthorizer.NodeName(user) is { Length: > 0 } && attributes.IsResourceRequest
            && attributes.Resource is "secrets" or "configmaps" or "persistentvolumeclaims" or "persistentvolumes" or "serviceaccounts")
        {
            // A kubelet may act on a pod it just saw before the graph has it: re-decide as the graph changes, for up to a
            // second. The change is taken before each decision, so one landing between the decision and the wait counts.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(1);
            while (deadline - DateTime.UtcNow is { Ticks: > 0 } left)
            {
                var change = graph.NextChange;
                result = authorizer.Authorize(attributes);
                if (result.Allowed || !await NodeGraph.WaitForChangeAsync(change, left, ct).ConfigureAwait(false))
                {
                    break;
                }
            }
        }

        audit?.Authorized(result.Allowed, result.Reason);
        if (!result.Allowed)
        {
            throw ForbiddenResponse.For(attributes, result.Reason);
        }

        if (NodeRestriction.NeedsBody(attributes) || NodeRestriction.NeedsPod(attributes))
        {
            var body = NodeRestriction.NeedsBody(attributes) ? await PeekBodyAsync(ctx, ct).ConfigureAwait(false) : null;
            string? podNode = null;
            if (NodeRestriction.NeedsPod(attributes)
                && await storage.GetAsync($"/registry/pods/{attributes.Namespace}/{attributes.Name}", 0, ct).ConfigureAwait(false) is { } kv)
            {
                podNode = (string?)Skiff.ApiServer.Store.GenericStore.Decode(kv)["spec"]?["nodeName"] ?? "";
            }

            NodeRestriction.Admit(attributes, body, podNode);
        }

        return new RequestAuthorization(user, info.Namespace, authorizer, rbac);
    }

    /// <summary>The name a field selector requires exactly (<c>metadata.name=x</c> or <c>==</c>), or null.</summary>
    private static string? NameFromFieldSelector(string selector)
    {
        foreach (var term in selector.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var op in new[] { "==", "=" })
            {
                if (term.StartsWith("metadata.name" + op, StringComparison.Ordinal))
                {
                    var name = term[("metadata.name" + op).Length..];
                    return name.Length > 0 && !name.Contains('/', StringComparison.Ordinal) && !name.StartsWith('!') ? name : null;
                }
            }
        }

        return null;
    }

    /// <summary>Reads the body without consuming it (the endpoint reads it again).</summary>
    private static async Task<JsonObject?> PeekBodyAsync(HttpContext ctx, CancellationToken ct)
    {
        ctx.Request.EnableBuffering();
        using var ms = new MemoryStream();
        await ctx.Request.Body.CopyToAsync(ms, ct).ConfigureAwait(false);
        ctx.Request.Body.Position = 0;
        var essence = MediaType.Parse(ctx.Request.ContentType ?? "application/json")?.Essence ?? "";
        IContentDecoder decoder = essence switch
        {
            "application/yaml" => YamlContentDecoder.Instance,
            "application/vnd.kubernetes.protobuf" => ProtobufContentDecoder.Instance,
            _ => JsonContentDecoder.Instance,
        };
        try
        {
            return decoder.Decode(ms.ToArray()) as JsonObject;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or StatusException or FormatException or InvalidDataException)
        {
            return null; // the endpoint answers the malformed body
        }
    }
}
