using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Authentication.ServiceAccounts;

/// <summary>The outcome of <see cref="ServiceAccountTokenAuthenticator.ValidateAsync"/>.</summary>
/// <param name="Handled">False when the token is not a service-account JWT (another authenticator may own it).</param>
/// <param name="User">The authenticated user, or null.</param>
/// <param name="Error">Why a service-account token was refused (upstream's message), or null.</param>
public sealed record TokenValidation(bool Handled, UserInfo? User, string? Error)
{
    /// <summary>Not a service-account token.</summary>
    public static TokenValidation NotHandled { get; } = new(false, null, null);

    /// <summary>A valid token of <paramref name="user"/>.</summary>
    public static TokenValidation Ok(UserInfo user) => new(true, user, null);

    /// <summary>A service-account token refused for <paramref name="error"/>.</summary>
    public static TokenValidation Fail(string error) => new(true, null, error);
}
