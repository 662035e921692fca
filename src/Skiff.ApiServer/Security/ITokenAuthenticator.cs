namespace Skiff.ApiServer.Security;

/// <summary>A bearer-token authenticator consulted after the static token file (upstream's <c>authenticator.Token</c>).</summary>
public interface ITokenAuthenticator
{
    /// <summary>
    /// The user <paramref name="token"/> authenticates as (without <c>system:authenticated</c>, which the caller adds),
    /// or null when the token is not this authenticator's or is not valid. Throws nothing for bad tokens.
    /// </summary>
    Task<UserInfo?> AuthenticateTokenAsync(string token, CancellationToken ct);
}
