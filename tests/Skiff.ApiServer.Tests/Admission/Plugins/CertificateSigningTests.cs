using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Admission.Plugins;
using Xunit;
using static Skiff.ApiServer.Tests.Admission.Plugins.CertificateApprovalTests;

namespace Skiff.ApiServer.Tests.Admission.Plugins;

/// <summary>CertificateSigning, table-driven after upstream's <c>signing/admission_test.go</c>.</summary>
public sealed class CertificateSigningTests
{
    private const string Cert = "Y2VydA==";

    public static TheoryData<string, string[], string, string, string, bool> Cases => new()
    {
        // name, allowed "verb name", subresource, old status, new status, allowed
        { "certificate set without permission", [], "status", "{}", $$"""{"certificate":"{{Cert}}"}""", false },
        { "certificate set with the signer", ["sign abc.com/xyz"], "status", "{}", $$"""{"certificate":"{{Cert}}"}""", true },
        { "certificate set with the domain wildcard", ["sign abc.com/*"], "status", "{}", $$"""{"certificate":"{{Cert}}"}""", true },
        { "another signer's permission", ["sign abc.com/abc"], "status", "{}", $$"""{"certificate":"{{Cert}}"}""", false },
        { "approve is not sign", ["approve abc.com/xyz"], "status", "{}", $$"""{"certificate":"{{Cert}}"}""", false },
        { "a condition added without permission", [], "status", "{}", """{"conditions":[{"type":"Failed","status":"True"}]}""", false },
        { "a condition added with permission", ["sign abc.com/xyz"], "status", "{}", """{"conditions":[{"type":"Failed","status":"True"}]}""", true },
        { "nothing changed", [], "status", $$"""{"certificate":"{{Cert}}"}""", $$"""{"certificate":"{{Cert}}"}""", true },
        { "empty conditions equal absent ones", [], "status", "{}", """{"conditions":[]}""", true },
        { "not the status subresource", [], "approval", "{}", $$"""{"certificate":"{{Cert}}"}""", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task StatusWrite_NeedsTheSignVerbOnTheSigner(string name, string[] allowed, string subresource, string oldStatus, string newStatus, bool admitted)
    {
        var plugin = new CertificateSigning(() => new SignerAuthorizerStub(allowed));
        var attributes = Update(subresource, Csr("abc.com/xyz", JsonNode.Parse(newStatus)!.AsObject()), Csr("abc.com/xyz", JsonNode.Parse(oldStatus)!.AsObject()));
        if (admitted)
        {
            await plugin.ValidateAsync(attributes, CancellationToken.None);
            return;
        }

        var e = await Assert.ThrowsAsync<StatusException>(() => plugin.ValidateAsync(attributes, CancellationToken.None).AsTask());
        Assert.True(e.Code == 403, name);
        Assert.Equal("certificatesigningrequests.certificates.k8s.io \"csr\" is forbidden: user not permitted to sign requests with signerName \"abc.com/xyz\"", e.Message);
    }
}
