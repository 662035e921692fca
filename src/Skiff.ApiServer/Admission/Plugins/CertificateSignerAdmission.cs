using System.Text.Json.Nodes;
using Skiff.ApiServer.Authorization;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// What <see cref="CertificateApproval"/> and <see cref="CertificateSigning"/> share: on an update of one CSR
/// subresource that <see cref="Matters"/>, the user must be allowed a verb on the signer of the stored request (so
/// changing the signer in the same call gains nothing), by upstream's <c>certauthorization.IsAuthorizedForSignerName</c>
/// (<c>plugin/pkg/admission/certificates/util.go</c>): the verb on the synthetic resource <c>signers.certificates.k8s.io</c>
/// named after the signer, or else on its domain wildcard <c>&lt;domain&gt;/*</c>. Refusal: 403 <c>user not permitted to
/// VERB requests with signerName "X"</c>.
/// </summary>
/// <param name="subresource">The subresource looked at (<c>approval</c>, <c>status</c>).</param>
/// <param name="verb">The verb needed on the signer (<c>approve</c>, <c>sign</c>).</param>
/// <param name="authorizer">The authorizer to ask (default: the request's; null allows everything, as AlwaysAllow).</param>
public abstract class CertificateSignerAdmission(string subresource, string verb, Func<IAuthorizer?>? authorizer) : IValidatingAdmissionPlugin
{
    private readonly Func<IAuthorizer?> _authorizer = authorizer ?? (() => RequestAuthorization.Current?.Authorizer);

    /// <inheritdoc/>
    public abstract string Name { get; }

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => operation == AdmissionOperation.Update;

    /// <summary>True when <paramref name="user"/> may <paramref name="verb"/> requests of <paramref name="signerName"/> (null authorizer or user: yes).</summary>
    public static bool IsAuthorized(IAuthorizer? authorizer, UserInfo? user, string verb, string signerName)
    {
        if (authorizer is null || user is null)
        {
            return true;
        }

        return authorizer.Authorize(Attributes(user, verb, signerName)).Allowed
            || authorizer.Authorize(Attributes(user, verb, signerName.Split('/')[0] + "/*")).Allowed;
    }

    /// <inheritdoc/>
    public ValueTask ValidateAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (a.Subresource != subresource || a.Group != "certificates.k8s.io" || a.Resource != "certificatesigningrequests")
        {
            return ValueTask.CompletedTask;
        }

        if (a.OldObject is not { } old || a.Object is not { } obj)
        {
            throw AdmissionErrors.Forbidden(a, "expected type CertificateSigningRequest, got: <nil>");
        }

        if (!Matters(old, obj))
        {
            return ValueTask.CompletedTask;
        }

        var signer = JsonPath.Str(old, "spec", "signerName") ?? "";
        if (!IsAuthorized(_authorizer(), a.User, verb, signer))
        {
            throw AdmissionErrors.Forbidden(a, $"user not permitted to {verb} requests with signerName \"{signer}\"");
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Whether the update from <paramref name="old"/> to <paramref name="obj"/> needs the verb (default: every one).</summary>
    protected virtual bool Matters(JsonObject old, JsonObject obj) => true;

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
