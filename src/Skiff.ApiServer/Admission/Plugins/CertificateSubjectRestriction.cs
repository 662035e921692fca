using Skiff.Api.Certificates;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's <c>CertificateSubjectRestriction</c> (<c>plugin/pkg/admission/certificates/subjectrestriction</c>): a
/// new request for <c>kubernetes.io/kube-apiserver-client</c> whose subject names the organization
/// <c>system:masters</c> is refused with 403 <c>use of kubernetes.io/kube-apiserver-client signer with system:masters
/// group is not allowed</c> (a cluster-admin identity must not be one approval away).
/// </summary>
public sealed class CertificateSubjectRestriction : IValidatingAdmissionPlugin
{
    /// <inheritdoc/>
    public string Name => "CertificateSubjectRestriction";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => operation == AdmissionOperation.Create;

    /// <inheritdoc/>
    public ValueTask ValidateAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (a.Group != "certificates.k8s.io" || a.Resource != "certificatesigningrequests" || a.Subresource.Length != 0)
        {
            return ValueTask.CompletedTask;
        }

        if (a.Object is not { } csr)
        {
            throw AdmissionErrors.Forbidden(a, "expected type CertificateSigningRequest, got: <nil>");
        }

        if (JsonPath.Str(csr, "spec", "signerName") != CertificateSigners.KubeApiServerClient)
        {
            return ValueTask.CompletedTask;
        }

        byte[] pem;
        try
        {
            pem = Convert.FromBase64String(JsonPath.Str(csr, "spec", "request") ?? "");
        }
        catch (FormatException)
        {
            pem = [];
        }

        if (ParsedCertificateRequest.TryParse(pem, out var error) is not { } parsed)
        {
            throw AdmissionErrors.Forbidden(a, "failed to parse CSR: " + error);
        }

        if (parsed.Organizations.Contains("system:masters"))
        {
            throw AdmissionErrors.Forbidden(a, $"use of {CertificateSigners.KubeApiServerClient} signer with system:masters group is not allowed");
        }

        return ValueTask.CompletedTask;
    }
}
