using Skiff.ApiServer.Authorization;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's <c>CertificateApproval</c> (<c>plugin/pkg/admission/certificates/approval</c>): an update through
/// <c>certificatesigningrequests/approval</c> needs the <c>approve</c> verb on <c>signers</c> for the stored request's
/// signer (or its <c>&lt;domain&gt;/*</c>); else 403 <c>user not permitted to approve requests with signerName "X"</c>.
/// The old object decides, so changing the signer in the same call gains nothing.
/// </summary>
/// <param name="authorizer">The authorizer to ask (default: the request's; null allows everything).</param>
public sealed class CertificateApproval(Func<IAuthorizer?>? authorizer = null) : IValidatingAdmissionPlugin
{
    private readonly Func<IAuthorizer?> _authorizer = authorizer ?? CertificateSignerAuthorization.RequestAuthorizer;

    /// <inheritdoc/>
    public string Name => "CertificateApproval";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => operation == AdmissionOperation.Update;

    /// <inheritdoc/>
    public ValueTask ValidateAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (a.Subresource != "approval" || a.Group != "certificates.k8s.io" || a.Resource != "certificatesigningrequests")
        {
            return ValueTask.CompletedTask;
        }

        if (a.OldObject is not { } old)
        {
            throw AdmissionErrors.Forbidden(a, "expected type CertificateSigningRequest, got: <nil>");
        }

        var signer = JsonPath.Str(old, "spec", "signerName") ?? "";
        if (!CertificateSignerAuthorization.IsAuthorized(_authorizer(), a.User, "approve", signer))
        {
            throw AdmissionErrors.Forbidden(a, $"user not permitted to approve requests with signerName \"{signer}\"");
        }

        return ValueTask.CompletedTask;
    }
}
