namespace Skiff.ApiServer.Security;

/// <summary>Upstream's token union: the first authenticator that knows the token answers; null when none does.</summary>
public sealed class TokenAuthenticatorUnion(IReadOnlyList<ITokenAuthenticator> authenticators) : ITokenAuthenticator
{
    /// <inheritdoc/>
    public async Task<UserInfo?> AuthenticateTokenAsync(string token, CancellationToken ct)
    {
        foreach (var a in authenticators)
        {
            if (await a.AuthenticateTokenAsync(token, ct).ConfigureAwait(false) is { } user)
            {
                return user;
            }
        }

        return null;
    }
}
