namespace Skiff.ApiServer.Authorization;

/// <summary>
/// Decides whether a request may proceed (upstream's <c>authorizer.Authorizer</c>). Implementations answer from
/// memory (never a storage read per request) and are safe to call concurrently.
/// </summary>
public interface IAuthorizer
{
    /// <summary>The decision on <paramref name="attributes"/>.</summary>
    AuthorizationResult Authorize(AuthorizationAttributes attributes);
}
