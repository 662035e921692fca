namespace Skiff.ApiServer.Security;

/// <summary>An authenticated user: name, uid, groups and extra (upstream's <c>user.Info</c>).</summary>
public sealed record UserInfo(string Name, string? Uid, IReadOnlyList<string> Groups)
{
    /// <summary>The group every authenticated user is in.</summary>
    public const string AuthenticatedGroup = "system:authenticated";

    /// <summary>Upstream's <c>GetExtra()</c>: authenticator-specific attributes (for service accounts the pod and credential id); empty when none.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Extra { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    /// <summary>
    /// The user as upstream's <c>authentication/v1.UserInfo</c> JSON (AdmissionReview, the admission-policy
    /// <c>request.userInfo</c>, audit events, TokenReview, SelfSubjectReview): username, and uid, groups and extra only
    /// when present, unless <paramref name="options"/> says otherwise.
    /// </summary>
    internal System.Text.Json.Nodes.JsonObject ToJson(UserInfoJsonOptions options = UserInfoJsonOptions.None)
    {
        var info = new System.Text.Json.Nodes.JsonObject { ["username"] = Name };
        if (Uid is { Length: > 0 } uid)
        {
            info["uid"] = uid;
        }

        if (Groups.Count > 0 || options.HasFlag(UserInfoJsonOptions.AlwaysGroups))
        {
            info["groups"] = new System.Text.Json.Nodes.JsonArray(Groups.Select(g => (System.Text.Json.Nodes.JsonNode?)g).ToArray());
        }

        if (Extra.Count > 0)
        {
            var extra = new System.Text.Json.Nodes.JsonObject();
            var entries = options.HasFlag(UserInfoJsonOptions.SortedExtra) ? Extra.OrderBy(kv => kv.Key, StringComparer.Ordinal) : Extra.AsEnumerable();
            foreach (var (k, v) in entries)
            {
                extra[k] = new System.Text.Json.Nodes.JsonArray(v.Select(x => (System.Text.Json.Nodes.JsonNode?)x).ToArray());
            }

            info["extra"] = extra;
        }

        return info;
    }

    /// <summary>
    /// Writes <see cref="ToJson"/>'s fields into <paramref name="target"/> (a CSR's spec: username, uid, groups, extra),
    /// removing those <see cref="ToJson"/> leaves out, so nothing the client sent survives.
    /// </summary>
    internal void WriteTo(System.Text.Json.Nodes.JsonObject target, UserInfoJsonOptions options = UserInfoJsonOptions.None)
    {
        var info = ToJson(options);
        foreach (var field in (string[])["username", "uid", "groups", "extra"])
        {
            if (info[field] is { } value)
            {
                info.Remove(field);
                target[field] = value;
            }
            else
            {
                target.Remove(field);
            }
        }
    }
}
