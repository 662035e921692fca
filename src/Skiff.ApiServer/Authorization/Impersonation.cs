using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Authorization;

/// <summary>
/// Upstream 1.32's impersonation filter (<c>endpoints/filters/impersonation.go</c>), run after authentication and
/// before the request is authorized: the <c>Impersonate-User</c>, <c>Impersonate-Group</c>, <c>Impersonate-Uid</c> and
/// <c>Impersonate-Extra-&lt;key&gt;</c> headers switch the request's user, after the authorizer allowed the verb
/// <c>impersonate</c> on each requested thing (<c>users</c>, <c>groups</c>, <c>serviceaccounts</c> in the core group;
/// <c>uids</c> and <c>userextras/&lt;key&gt;</c> in <c>authentication.k8s.io</c>). A denial is upstream's 403; groups, uid
/// or extra without a user is upstream's 500. The headers are removed so nothing downstream sees them.
/// </summary>
public static class Impersonation
{
    private const string UserHeader = "Impersonate-User";
    private const string GroupHeader = "Impersonate-Group";
    private const string UidHeader = "Impersonate-Uid";
    private const string ExtraPrefix = "Impersonate-Extra-";
    private const string ServiceAccountPrefix = "system:serviceaccount:";
    private const string AuthenticationGroup = "authentication.k8s.io";

    /// <summary>True when the request carries any impersonation header.</summary>
    public static bool Requested(IHeaderDictionary headers) =>
        headers.ContainsKey(UserHeader) || headers.ContainsKey(GroupHeader) || headers.ContainsKey(UidHeader)
        || headers.Keys.Any(k => k.StartsWith(ExtraPrefix, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The user <paramref name="requestor"/> acts as, or <paramref name="requestor"/> itself when no impersonation is
    /// requested. Throws the 403 (a check denied) or 500 (groups, uid or extra without a user) Status.
    /// </summary>
    public static UserInfo Apply(IHeaderDictionary headers, UserInfo requestor, IAuthorizer authorizer)
    {
        if (!Requested(headers))
        {
            return requestor;
        }

        var requestedUser = headers[UserHeader].ToString();
        var requestedGroups = headers[GroupHeader].Where(g => g is not null).Select(g => g!).ToList();
        var requestedUid = headers[UidHeader].ToString();
        var extra = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (header, values) in headers.Where(h => h.Key.StartsWith(ExtraPrefix, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            var key = Uri.UnescapeDataString(header[ExtraPrefix.Length..].ToLowerInvariant());
            var list = extra.TryGetValue(key, out var l) ? l : extra[key] = [];
            list.AddRange(values.Where(v => v is not null).Select(v => v!));
        }

        if (requestedUser.Length == 0)
        {
            throw StatusErrors.InternalError($"requested {Describe(requestedGroups, requestedUid, extra)} without impersonating a user");
        }

        var groups = new List<string>();
        var check = new AuthorizationAttributes { User = requestor, Verb = "impersonate", IsResourceRequest = true, ApiVersion = "v1" };
        if (requestedUser.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal)
            && requestedUser[ServiceAccountPrefix.Length..].Split(':') is [{ Length: > 0 } ns, { Length: > 0 } sa])
        {
            Authorize(authorizer, check with { Resource = "serviceaccounts", Namespace = ns, Name = sa });
            if (requestedGroups.Count == 0)
            {
                groups.AddRange(["system:serviceaccounts", "system:serviceaccounts:" + ns]);
            }
        }
        else
        {
            Authorize(authorizer, check with { Resource = "users", Name = requestedUser });
        }

        foreach (var group in requestedGroups)
        {
            Authorize(authorizer, check with { Resource = "groups", Name = group });
            groups.Add(group);
        }

        foreach (var (key, values) in extra)
        {
            foreach (var value in values)
            {
                Authorize(authorizer, check with { ApiGroup = AuthenticationGroup, Resource = "userextras", Subresource = key, Name = value });
            }
        }

        if (requestedUid.Length > 0)
        {
            Authorize(authorizer, check with { ApiGroup = AuthenticationGroup, Resource = "uids", Name = requestedUid });
        }

        if (requestedUser != AuthorizationGate.AnonymousUser)
        {
            if (!groups.Contains(UserInfo.AuthenticatedGroup) && !groups.Contains(AuthorizationGate.UnauthenticatedGroup))
            {
                groups.Add(UserInfo.AuthenticatedGroup);
            }
        }
        else if (!groups.Contains(AuthorizationGate.UnauthenticatedGroup))
        {
            groups.Add(AuthorizationGate.UnauthenticatedGroup);
        }

        headers.Remove(UserHeader);
        headers.Remove(GroupHeader);
        headers.Remove(UidHeader);
        foreach (var key in headers.Keys.Where(k => k.StartsWith(ExtraPrefix, StringComparison.OrdinalIgnoreCase)).ToList())
        {
            headers.Remove(key);
        }

        return new UserInfo(requestedUser, requestedUid.Length > 0 ? requestedUid : null, groups)
        {
            Extra = extra.ToDictionary(e => e.Key, e => (IReadOnlyList<string>)e.Value, StringComparer.Ordinal),
        };
    }

    private static void Authorize(IAuthorizer authorizer, AuthorizationAttributes attributes)
    {
        var result = authorizer.Authorize(attributes);
        if (!result.Allowed)
        {
            throw ForbiddenResponse.For(attributes, result.Reason);
        }
    }

    private static string Describe(List<string> groups, string uid, Dictionary<string, List<string>> extra)
    {
        var parts = groups.Select(g => $"Group {g}")
            .Concat(extra.SelectMany(e => e.Value.Select(v => $"UserExtra {e.Key}={v}")))
            .Concat(uid.Length > 0 ? [$"UID {uid}"] : []);
        return "[" + string.Join(" ", parts) + "]";
    }
}
