using k8s.Models;

namespace Skiff.Controllers.Certificates;

/// <summary>Condition helpers of upstream's <c>pkg/controller/certificates</c> (<c>GetCertApprovalCondition</c>, <c>HasTrueCondition</c>).</summary>
internal static class CsrConditions
{
    public static bool HasTrue(V1CertificateSigningRequest csr, string type) =>
        csr.Status?.Conditions?.Any(c => c.Type == type && c.Status == "True") == true;

    /// <summary>Approved and not denied (upstream's <c>IsCertificateRequestApproved</c>).</summary>
    public static bool IsApproved(V1CertificateSigningRequest csr) => HasTrue(csr, "Approved") && !HasTrue(csr, "Denied");

    public static bool IsDecided(V1CertificateSigningRequest csr) =>
        csr.Status?.Conditions?.Any(c => c.Type is "Approved" or "Denied") == true;

    public static bool IsIssued(V1CertificateSigningRequest csr) => csr.Status?.Certificate is { Length: > 0 };
}
