using System.Diagnostics.CodeAnalysis;
using Skiff.ApiServer.Authorization;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Admission.Policy;

/// <summary>
/// The CEL <c>authorizer</c> variable (upstream's <c>cel/library/authz.go</c> <c>authorizerVal</c>): checks made as
/// <see cref="User"/> through the server's authorizer chain — the one SubjectAccessReview answers with — built
/// with <c>path(p)</c> or <c>group(g).resource(r)[.subresource(s)][.namespace(ns)][.name(n)]</c> and decided by
/// <c>check(verb)</c>; <c>serviceAccount(ns, name)</c> checks as that service account instead.
/// <c>authorizer.requestResource</c> is the check of the request's own resource.
/// </summary>
public sealed class CelAuthorizer
{
    private CelAuthorizer(UserInfo user, IAuthorizer authorizer, AdmissionAttributes? request)
    {
        User = user;
        Authorizer = authorizer;
        if (request is not null)
        {
            requestResource = new CelResourceCheck(this, request.Group, request.Resource)
            {
                Subresource = request.Subresource,
                Namespace = request.Namespace,
                Name = request.Name,
            };
        }
    }

    /// <summary>Who the checks are made as.</summary>
    public UserInfo User { get; }

    /// <summary>The authorizer that decides.</summary>
    public IAuthorizer Authorizer { get; }

    /// <summary>
    /// <c>authorizer.requestResource</c>: the request's group, resource, subresource, namespace and name (the
    /// <c>Cel</c> package selects fields of CLR objects by property name, hence the CEL spelling).
    /// </summary>
    [SuppressMessage("Style", "IDE1006:Naming Styles", Justification = "The CEL field name is requestResource.")]
    [SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "The CEL field name.")]
    public CelResourceCheck? requestResource { get; }

    /// <summary>
    /// The authorizer of an admission request: its user (the server's own writes check as a user without name or
    /// groups) and the request's authorizer chain, or an allow-all one when authorization is not enforced
    /// (upstream's AlwaysAllow mode).
    /// </summary>
    public static CelAuthorizer For(AdmissionAttributes a) =>
        new(a.User ?? new UserInfo("", null, []), RequestAuthorization.Current?.Authorizer ?? AlwaysAllow.Instance, a);

    /// <summary>An authorizer checking as <paramref name="user"/> through <paramref name="authorizer"/> (no request resource).</summary>
    public static CelAuthorizer As(UserInfo user, IAuthorizer authorizer) => new(user, authorizer, null);

    /// <summary>Decides <paramref name="attributes"/>; an authorizer that throws is an errored decision.</summary>
    internal CelDecision Decide(AuthorizationAttributes attributes)
    {
        try
        {
            var result = Authorizer.Authorize(attributes);
            return new CelDecision(result.Decision, result.Reason, null);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or KeyNotFoundException)
        {
            return new CelDecision(Decision.NoOpinion, "", e.Message);
        }
    }

    private sealed class AlwaysAllow : IAuthorizer
    {
        public static readonly AlwaysAllow Instance = new();

        public AuthorizationResult Authorize(AuthorizationAttributes attributes) => new(Decision.Allow, "");
    }
}

/// <summary>A non-resource check under construction (<c>authorizer.path(p)</c>).</summary>
/// <param name="Authorizer">Who checks.</param>
/// <param name="Path">The path.</param>
public sealed record CelPathCheck(CelAuthorizer Authorizer, string Path)
{
    /// <summary><c>check(verb)</c>: the decision on <paramref name="verb"/> of the path.</summary>
    public CelDecision Check(string verb) =>
        Authorizer.Decide(new AuthorizationAttributes { User = Authorizer.User, Verb = verb, Path = Path });
}

/// <summary>A resource check with only its group so far (<c>authorizer.group(g)</c>).</summary>
/// <param name="Authorizer">Who checks.</param>
/// <param name="Group">The API group.</param>
public sealed record CelGroupCheck(CelAuthorizer Authorizer, string Group);

/// <summary>A resource check (<c>….resource(r)</c>, with optional subresource, namespace and name).</summary>
/// <param name="Authorizer">Who checks.</param>
/// <param name="Group">The API group.</param>
/// <param name="Resource">The resource.</param>
public sealed record CelResourceCheck(CelAuthorizer Authorizer, string Group, string Resource)
{
    /// <summary>The subresource ("" for none).</summary>
    public string Subresource { get; init; } = "";

    /// <summary>The namespace ("" for cluster-wide).</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The name ("" for all).</summary>
    public string Name { get; init; } = "";

    /// <summary>
    /// <c>check(verb)</c>: the decision on <paramref name="verb"/> of the resource, any version (upstream sends
    /// <c>APIVersion: "*"</c>).
    /// </summary>
    public CelDecision Check(string verb) => Authorizer.Decide(new AuthorizationAttributes
    {
        User = Authorizer.User,
        Verb = verb,
        IsResourceRequest = true,
        ApiGroup = Group,
        ApiVersion = "*",
        Resource = Resource,
        Subresource = Subresource,
        Namespace = Namespace,
        Name = Name,
    });
}

/// <summary>An authorization decision (<c>allowed()</c>, <c>reason()</c>, <c>errored()</c>, <c>error()</c>).</summary>
/// <param name="Decision">The verdict.</param>
/// <param name="Reason">The authorizer's reason.</param>
/// <param name="Error">The authorizer's error, or null.</param>
public sealed record CelDecision(Decision Decision, string Reason, string? Error);
