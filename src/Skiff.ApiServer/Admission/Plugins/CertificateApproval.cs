using Skiff.ApiServer.Authorization;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's <c>CertificateApproval</c> (<c>plugin/pkg/admission/certificates/approval</c>): an update through
/// <c>certificatesigningrequests/approval</c> needs the <c>approve</c> verb on <c>signers</c> for the stored request's
/// signer (or its <c>&lt;domain&gt;/*</c>); else 403 <c>user not permitted to approve requests with signerName "X"</c>.
/// </summary>
/// <param name="authorizer">The authorizer to ask (default: the request's; null allows everything).</param>
public sealed class CertificateApproval(Func<IAuthorizer?>? authorizer = null) : CertificateSignerAdmission("approval", "approve", authorizer)
{
    /// <inheritdoc/>
    public override string Name => "CertificateApproval";
}
