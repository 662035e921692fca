namespace Skiff.ApiServer.Security;

/// <summary>An authenticated user: name, uid, groups and extra (upstream's <c>user.Info</c>).</summary>
public sealed record UserInfo(string Name, string? Uid, IReadOnlyList<string> Groups)
{
    /// <summary>The group every authenticated user is in.</summary>
    public const string AuthenticatedGroup = "system:authenticated";

    /// <summary>Upstream's <c>GetExtra()</c>: authenticator-specific attributes (for service accounts the pod and credential id); empty when none.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Extra { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
}
