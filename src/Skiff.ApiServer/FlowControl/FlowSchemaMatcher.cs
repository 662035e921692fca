using System.Text.Json.Nodes;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Whether a FlowSchema's rules match a request, as upstream's <c>apf_filter</c> matching
/// (<c>staging/src/k8s.io/apiserver/pkg/util/flowcontrol/matching.go</c>): some rule whose subjects include the user
/// (by name, group or service account; <c>*</c> matches any) and one of whose resource rules (verb, API group,
/// resource or <c>resource/subresource</c>, namespace or cluster scope) or non-resource rules (verb, URL with
/// <c>/*</c> suffix globbing) matches the request.
/// </summary>
public static class FlowSchemaMatcher
{
    private const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary>Whether the schema <paramref name="flowSchema"/> matches.</summary>
    public static bool Matches(JsonObject flowSchema, UserInfo user, RequestInfo request)
    {
        foreach (var rule in JsonPath.Arr(flowSchema, "spec", "rules") ?? [])
        {
            if (rule is JsonObject r && SubjectsMatch(r, user) && RulesMatch(r, request))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The flow distinguisher of a request under <paramref name="flowSchema"/>: the user name (ByUser), the namespace (ByNamespace) or empty.</summary>
    public static string Distinguisher(JsonObject flowSchema, UserInfo user, RequestInfo request) =>
        JsonPath.Str(flowSchema, "spec", "distinguisherMethod", "type") switch
        {
            "ByUser" => user.Name,
            "ByNamespace" => request.Namespace,
            _ => "",
        };

    private static bool SubjectsMatch(JsonObject rule, UserInfo user)
    {
        foreach (var subject in JsonPath.Arr(rule, "subjects") ?? [])
        {
            switch (JsonPath.Str(subject, "kind"))
            {
                case "User" when JsonPath.Str(subject, "user", "name") is { } name && (name == "*" || name == user.Name):
                    return true;
                case "Group" when JsonPath.Str(subject, "group", "name") is { } group && (group == "*" || user.Groups.Contains(group)):
                    return true;
                case "ServiceAccount" when ServiceAccountMatches(JsonPath.Str(subject, "serviceAccount", "namespace"), JsonPath.Str(subject, "serviceAccount", "name"), user.Name):
                    return true;
            }
        }

        return false;
    }

    private static bool ServiceAccountMatches(string? ns, string? name, string user)
    {
        if (ns is null || name is null || !user.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = user.AsSpan(ServiceAccountPrefix.Length);
        var colon = rest.IndexOf(':');
        if (colon < 0)
        {
            return false;
        }

        return rest[..colon].SequenceEqual(ns) && (name == "*" || rest[(colon + 1)..].SequenceEqual(name));
    }

    private static bool RulesMatch(JsonObject rule, RequestInfo request)
    {
        if (request.IsResourceRequest)
        {
            foreach (var rr in JsonPath.Arr(rule, "resourceRules") ?? [])
            {
                if (rr is JsonObject r && ResourceRuleMatches(r, request))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var nr in JsonPath.Arr(rule, "nonResourceRules") ?? [])
        {
            if (nr is JsonObject r && Has(r, "verbs", request.Verb) && UrlMatches(r, request.Path))
            {
                return true;
            }
        }

        return false;
    }

    private static bool ResourceRuleMatches(JsonObject rule, RequestInfo request)
    {
        if (!Has(rule, "verbs", request.Verb) || !Has(rule, "apiGroups", request.Group))
        {
            return false;
        }

        var resource = request.Subresource.Length == 0 ? request.Resource : request.Resource + "/" + request.Subresource;
        if (!Has(rule, "resources", resource))
        {
            return false;
        }

        return request.Namespace.Length == 0 ? JsonPath.Bool(rule, "clusterScope") == true : Has(rule, "namespaces", request.Namespace);
    }

    private static bool UrlMatches(JsonObject rule, string path)
    {
        foreach (var node in JsonPath.Arr(rule, "nonResourceURLs") ?? [])
        {
            var url = JsonPath.AsString(node);
            if (url is null)
            {
                continue;
            }

            if (url == "*" || url == path)
            {
                return true;
            }

            if (url.EndsWith("/*", StringComparison.Ordinal) && path.StartsWith(url[..^1], StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Has(JsonObject rule, string field, string value)
    {
        foreach (var node in JsonPath.Arr(rule, field) ?? [])
        {
            if (JsonPath.AsString(node) is { } s && (s == "*" || s == value))
            {
                return true;
            }
        }

        return false;
    }
}
