using Skiff.ApiServer.Authorization;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's <c>certauthorization.IsAuthorizedForSignerName</c> (<c>plugin/pkg/admission/certificates/util.go</c>),
/// shared by <see cref="CertificateApproval"/> and <see cref="CertificateSigning"/>: may the user perform a verb
/// (<c>approve</c>, <c>sign</c>) on the synthetic resource <c>signers.certificates.k8s.io</c> named after the signer,
/// or, failing that, on its domain wildcard <c>&lt;domain&gt;/*</c> (<c>kubernetes.io/*</c>).
/// </summary>
public static class CertificateSignerAuthorization
{
    /// <summary>
    /// The authorizer of the request being served (null when authorization is not enforced, or for the server's
    /// own writes: everything is allowed then, as upstream's AlwaysAllow).
    /// </summary>
    public static IAuthorizer? RequestAuthorizer() => RequestAuthorization.Current?.Authorizer;

    /// <summary>True when <paramref name="user"/> may <paramref name="verb"/> requests of <paramref name="signerName"/>.</summary>
    public static bool IsAuthorized(IAuthorizer? authorizer, UserInfo? user, string verb, string signerName)
    {
        if (authorizer is null || user is null)
        {
            return true;
        }

        return authorizer.Authorize(Attributes(user, verb, signerName)).Allowed
            || authorizer.Authorize(Attributes(user, verb, signerName.Split('/')[0] + "/*")).Allowed;
    }

    private static AuthorizationAttributes Attributes(UserInfo user, string verb, string name) => new()
    {
        User = user,
        Verb = verb,
        IsResourceRequest = true,
        ApiGroup = "certificates.k8s.io",
        ApiVersion = "*",
        Resource = "signers",
        Name = name,
    };
}
