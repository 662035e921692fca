namespace Skiff.ApiServer.Http;

/// <summary>
/// What a request addresses, parsed from its path like upstream's <c>RequestInfoFactory</c>
/// (kubernetes/apiserver <c>pkg/endpoints/request/requestinfo.go</c>).
/// </summary>
public sealed record RequestInfo
{
    /// <summary>True for <c>/api/v1/…</c> and <c>/apis/g/v/…</c> paths that name a resource.</summary>
    public bool IsResourceRequest { get; init; }

    /// <summary>The path without the query.</summary>
    public string Path { get; init; } = "/";

    /// <summary>get, list, watch, create, update, patch, delete, deletecollection (resource requests), or the lower-cased HTTP method.</summary>
    public string Verb { get; init; } = "";

    /// <summary>API group; empty for core.</summary>
    public string Group { get; init; } = "";

    /// <summary>API version.</summary>
    public string Version { get; init; } = "";

    /// <summary>Namespace; empty when none.</summary>
    public string Namespace { get; init; } = "";

    /// <summary>Resource (plural).</summary>
    public string Resource { get; init; } = "";

    /// <summary>Object name; empty for collections.</summary>
    public string Name { get; init; } = "";

    /// <summary>Subresource; empty when none.</summary>
    public string Subresource { get; init; } = "";

    /// <summary>Path segments after the subresource (proxy paths).</summary>
    public IReadOnlyList<string> Rest { get; init; } = [];

    private static readonly HashSet<string> NamespaceSubresources = ["status", "finalize"];

    /// <summary>Parses <paramref name="path"/> for <paramref name="method"/>; <paramref name="isWatch"/> says whether <c>watch=true|1</c> was given.</summary>
    public static RequestInfo Parse(string method, string path, bool isWatch)
    {
        var parts = path.Trim('/').Split('/', StringSplitOptions.None);
        if (parts.Length == 1 && parts[0].Length == 0)
        {
            parts = [];
        }

        var nonResource = new RequestInfo { Path = path, Verb = method.ToLowerInvariant() };
        if (parts.Length < 3)
        {
            return nonResource;
        }

        string group = "", version;
        int i;
        if (parts[0] == "api")
        {
            version = parts[1];
            i = 2;
        }
        else if (parts[0] == "apis" && parts.Length >= 4)
        {
            group = parts[1];
            version = parts[2];
            i = 3;
        }
        else
        {
            return nonResource;
        }

        var rest = parts[i..];
        var verb = method.ToUpperInvariant() switch
        {
            "POST" => "create",
            "GET" or "HEAD" => "get",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => method.ToLowerInvariant(),
        };

        if (rest.Length > 0 && rest[0] == "watch")
        {
            verb = "watch";
            rest = rest[1..];
        }

        var ns = "";
        if (rest.Length > 0 && rest[0] == "namespaces" && rest.Length > 1)
        {
            ns = rest[1];
            if (rest.Length > 2 && !NamespaceSubresources.Contains(rest[2]))
            {
                rest = rest[2..];
            }
        }

        if (rest.Length == 0)
        {
            return nonResource;
        }

        var name = rest.Length > 1 ? rest[1] : "";
        var sub = rest.Length > 2 ? rest[2] : "";
        if (name.Length == 0)
        {
            if (verb == "get")
            {
                verb = isWatch ? "watch" : "list";
            }
            else if (verb == "delete")
            {
                verb = "deletecollection";
            }
        }
        else if (verb == "get" && isWatch)
        {
            verb = "watch";
        }

        return new RequestInfo
        {
            IsResourceRequest = true,
            Path = path,
            Verb = verb,
            Group = group,
            Version = version,
            Namespace = ns,
            Resource = rest[0],
            Name = name,
            Subresource = sub,
            Rest = rest.Length > 3 ? rest[3..] : [],
        };
    }
}
