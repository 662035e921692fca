using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Admission.Plugins;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission.Plugins;

/// <summary>CertificateSubjectRestriction, table-driven after upstream's <c>subjectrestriction/admission_test.go</c>.</summary>
public sealed class CertificateSubjectRestrictionTests
{
    public static TheoryData<string, string, string, string?> Cases => new()
    {
        // name, signer, subject, expected message (null: admitted)
        { "system:masters for kube-apiserver-client", "kubernetes.io/kube-apiserver-client", "CN=root, O=system:masters", "use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed" },
        { "system:masters among other groups", "kubernetes.io/kube-apiserver-client", "CN=root, O=devs, O=system:masters", "use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed" },
        { "other groups", "kubernetes.io/kube-apiserver-client", "CN=alice, O=devs", null },
        { "system:masters for another signer", "example.com/signer", "CN=root, O=system:masters", null },
        { "system:masters for the kubelet signer", "kubernetes.io/kube-apiserver-client-kubelet", "CN=root, O=system:masters", null },
        { "system:masters as the common name", "kubernetes.io/kube-apiserver-client", "CN=system:masters", null },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task SystemMasters_IsRefusedForTheApiServerClientSigner(string name, string signer, string subject, string? message)
    {
        var attributes = Create(signer, Convert.ToBase64String(Encoding.ASCII.GetBytes(Request(subject))));
        if (message is null)
        {
            await new CertificateSubjectRestriction().ValidateAsync(attributes, CancellationToken.None);
            return;
        }

        var e = await Assert.ThrowsAsync<StatusException>(() => new CertificateSubjectRestriction().ValidateAsync(attributes, CancellationToken.None).AsTask());
        Assert.True(e.Code == 403, name);
        Assert.Equal("certificatesigningrequests.certificates.k8s.io \"csr\" is forbidden: " + message, e.Message);
    }

    [Fact]
    public async Task AnUnparsableRequest_IsForbidden_WithUpstreamsPrefix()
    {
        var e = await Assert.ThrowsAsync<StatusException>(() => new CertificateSubjectRestriction()
            .ValidateAsync(Create("kubernetes.io/kube-apiserver-client", Convert.ToBase64String("junk"u8.ToArray())), CancellationToken.None).AsTask());
        Assert.Equal("certificatesigningrequests.certificates.k8s.io \"csr\" is forbidden: failed to parse CSR: PEM block type must be CERTIFICATE REQUEST", e.Message);
        Assert.True(new CertificateSubjectRestriction().Handles(AdmissionOperation.Create));
        Assert.False(new CertificateSubjectRestriction().Handles(AdmissionOperation.Update));
    }

    private static string Request(string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
    }

    private static AdmissionAttributes Create(string signer, string request) => new()
    {
        Operation = AdmissionOperation.Create,
        Group = "certificates.k8s.io",
        Version = "v1",
        Resource = "certificatesigningrequests",
        Kind = "CertificateSigningRequest",
        Name = "csr",
        Object = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "csr" },
            ["spec"] = new JsonObject { ["signerName"] = signer, ["request"] = request },
        },
    };
}
