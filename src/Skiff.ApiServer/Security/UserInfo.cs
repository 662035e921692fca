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
    /// <c>request.userInfo</c>, audit events): username, and uid, groups and extra only when present.
    /// </summary>
    internal System.Text.Json.Nodes.JsonObject ToJson()
    {
        var info = new System.Text.Json.Nodes.JsonObject { ["username"] = Name };
        if (Uid is { Length: > 0 } uid)
        {
            info["uid"] = uid;
        }

        if (Groups.Count > 0)
        {
            info["groups"] = new System.Text.Json.Nodes.JsonArray(Groups.Select(g => (System.Text.Json.Nodes.JsonNode?)g).ToArray());
        }

        if (Extra.Count > 0)
        {
            var extra = new System.Text.Json.Nodes.JsonObject();
            foreach (var (k, v) in Extra)
            {
                extra[k] = new System.Text.Json.Nodes.JsonArray(v.Select(x => (System.Text.Json.Nodes.JsonNode?)x).ToArray());
            }

            info["extra"] = extra;
        }

        return info;
    }
}
