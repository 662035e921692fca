using Skiff.ApiServer.Http;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Authorization;

/// <summary>
/// What an authorizer decides on (upstream's <c>authorizer.Attributes</c>): the user, the verb and either a
/// resource (group, version, resource, subresource, namespace, name) or a non-resource path.
/// </summary>
public sealed record AuthorizationAttributes
{
    /// <summary>The requesting user.</summary>
    public required UserInfo User { get; init; }

    /// <summary>get, list, watch, create, update, patch, delete, deletecollection, or a custom verb (bind, escalate, impersonate…); for non-resource requests the lower-cased HTTP method.</summary>
    public required string Verb { get; init; }

    /// <summary>True for a resource request; false for a non-resource path.</summary>
    public bool IsResourceRequest { get; init; }

    /// <summary>The namespace; empty for cluster-scoped requests.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>The API group; empty for core.</summary>
    public string ApiGroup { get; init; } = "";

    /// <summary>The API version.</summary>
    public string ApiVersion { get; init; } = "";

    /// <summary>The resource (plural).</summary>
    public string Resource { get; init; } = "";

    /// <summary>The subresource; empty when none.</summary>
    public string Subresource { get; init; } = "";

    /// <summary>The object name; empty for collections and creates.</summary>
    public string Name { get; init; } = "";

    /// <summary>The request path (non-resource requests).</summary>
    public string Path { get; init; } = "";

    /// <summary>The attributes of an HTTP request as the API server parsed it.</summary>
    public static AuthorizationAttributes From(UserInfo user, RequestInfo info) => info.IsResourceRequest
        ? new AuthorizationAttributes
        {
            User = user,
            Verb = info.Verb,
            IsResourceRequest = true,
            Namespace = info.Namespace,
            ApiGroup = info.Group,
            ApiVersion = info.Version,
            Resource = info.Resource,
            Subresource = info.Subresource,
            Name = info.Name,
            Path = info.Path,
        }
        : new AuthorizationAttributes { User = user, Verb = info.Verb, Path = info.Path };
}
