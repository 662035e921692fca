namespace Skiff.Kubelet.Server;

/// <summary>
/// The kubelet's delegated authentication and authorization (upstream <c>--authentication-token-webhook</c> and
/// <c>--authorization-mode=Webhook</c>): bearer tokens are reviewed by the API server (TokenReview) and every request is
/// authorized by it (SubjectAccessReview on <c>nodes/&lt;subresource&gt;</c> of this node).
/// </summary>
public interface IKubeletDelegatedAuth
{
    /// <summary>The user a bearer token stands for; null when the API server does not authenticate it.</summary>
    Task<KubeletUser?> AuthenticateTokenAsync(string token, CancellationToken ct);

    /// <summary>
    /// Whether <paramref name="user"/> may <paramref name="verb"/> the node's <paramref name="subresource"/> (resource
    /// <c>nodes</c>, the node's name). Throws when no decision could be had (the kubelet then answers 500).
    /// </summary>
    Task<bool> AuthorizeAsync(KubeletUser user, string verb, string subresource, CancellationToken ct);
}
