using Skiff.Api.Errors;

namespace Skiff.ApiServer.Authorization;

/// <summary>Upstream's 403 for a request the authorizers did not allow (<c>responsewriters.Forbidden</c>).</summary>
public static class ForbiddenResponse
{
    /// <summary>
    /// <c>User "u" cannot list resource "pods" in API group "" in the namespace "default"</c>, <c>… at the cluster
    /// scope</c>, or <c>User "u" cannot get path "/x"</c> for non-resource requests.
    /// </summary>
    public static string Message(AuthorizationAttributes a)
    {
        var q = Skiff.Api.Validation.GoFormat.Quote;
        if (!a.IsResourceRequest)
        {
            return $"User {q(a.User.Name)} cannot {a.Verb} path {q(a.Path)}";
        }

        var resource = a.Subresource.Length > 0 ? a.Resource + "/" + a.Subresource : a.Resource;
        return a.Namespace.Length > 0
            ? $"User {q(a.User.Name)} cannot {a.Verb} resource {q(resource)} in API group {q(a.ApiGroup)} in the namespace {q(a.Namespace)}"
            : $"User {q(a.User.Name)} cannot {a.Verb} resource {q(resource)} in API group {q(a.ApiGroup)} at the cluster scope";
    }

    /// <summary>The 403 Status: <c>pods is forbidden: User … [: reason]</c> (no resource for non-resource paths).</summary>
    public static StatusException For(AuthorizationAttributes a, string reason)
    {
        var message = Message(a);
        if (reason.Length > 0)
        {
            message += ": " + reason;
        }

        return a.IsResourceRequest
            ? StatusErrors.Forbidden(a.ApiGroup, a.Resource, a.Name, message)
            : StatusErrors.Forbidden("", "", "", message);
    }
}
