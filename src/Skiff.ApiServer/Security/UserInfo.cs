namespace Skiff.ApiServer.Security;

/// <summary>An authenticated user: name, uid and groups (upstream's <c>user.Info</c>).</summary>
public sealed record UserInfo(string Name, string? Uid, IReadOnlyList<string> Groups)
{
    /// <summary>The group every authenticated user is in.</summary>
    public const string AuthenticatedGroup = "system:authenticated";
}
