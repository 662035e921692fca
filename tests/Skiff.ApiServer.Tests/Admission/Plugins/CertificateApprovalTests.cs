using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Admission.Plugins;
using Skiff.ApiServer.Security;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission.Plugins;

/// <summary>CertificateApproval, table-driven after upstream's <c>approval/admission_test.go</c>.</summary>
public sealed class CertificateApprovalTests
{
    public static TheoryData<string, string[], string, string, bool> Cases => new()
    {
        // name, allowed "verb name", subresource, signer, allowed
        { "no permission", [], "approval", "abc.com/xyz", false },
        { "explicit signerName", ["approve abc.com/xyz"], "approval", "abc.com/xyz", true },
        { "domain wildcard", ["approve abc.com/*"], "approval", "abc.com/xyz", true },
        { "another signerName", ["approve abc.com/abc"], "approval", "abc.com/xyz", false },
        { "another domain's wildcard", ["approve xyz.com/*"], "approval", "abc.com/xyz", false },
        { "sign is not approve", ["sign abc.com/xyz"], "approval", "abc.com/xyz", false },
        { "a kubernetes.io signer by wildcard", ["approve kubernetes.io/*"], "approval", "kubernetes.io/kube-apiserver-client", true },
        { "not the approval subresource", [], "status", "abc.com/xyz", true },
        { "the main resource", [], "", "abc.com/xyz", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Approve_NeedsTheApproveVerbOnTheSigner(string name, string[] allowed, string subresource, string signer, bool admitted)
    {
        var plugin = new CertificateApproval(() => new SignerAuthorizerStub(allowed));
        var attributes = Update(subresource, Csr(signer), Csr(signer));
        if (admitted)
        {
            await plugin.ValidateAsync(attributes, CancellationToken.None);
            return;
        }

        var e = await Assert.ThrowsAsync<StatusException>(() => plugin.ValidateAsync(attributes, CancellationToken.None).AsTask());
        Assert.True(e.Code == 403, name);
        Assert.Equal("Forbidden", e.Reason);
        Assert.Equal($"certificatesigningrequests.certificates.k8s.io \"csr\" is forbidden: user not permitted to approve requests with signerName \"{signer}\"", e.Message);
    }

    [Fact]
    public async Task TheStoredSignerDecides_NotTheOneInTheBody()
    {
        var stub = new SignerAuthorizerStub("approve abc.com/new");
        var e = await Assert.ThrowsAsync<StatusException>(() =>
            new CertificateApproval(() => stub).ValidateAsync(Update("approval", Csr("abc.com/new"), Csr("abc.com/old")), CancellationToken.None).AsTask());
        Assert.Contains("signerName \"abc.com/old\"", e.Message, StringComparison.Ordinal);

        // Asked first about the signer, then about its domain wildcard, as the requesting user.
        Assert.Equal(["abc.com/old", "abc.com/*"], stub.Asked.Select(a => a.Name));
        Assert.All(stub.Asked, a => Assert.Equal("alice", a.User.Name));
    }

    [Fact]
    public async Task WithoutAnAuthorizer_EverythingIsAllowed()
    {
        await new CertificateApproval(() => null).ValidateAsync(Update("approval", Csr("abc.com/xyz"), Csr("abc.com/xyz")), CancellationToken.None);
        Assert.True(new CertificateApproval().Handles(AdmissionOperation.Update));
        Assert.False(new CertificateApproval().Handles(AdmissionOperation.Create));
    }

    internal static JsonObject Csr(string signer, JsonObject? status = null) => new()
    {
        ["metadata"] = new JsonObject { ["name"] = "csr" },
        ["spec"] = new JsonObject { ["signerName"] = signer, ["request"] = "" },
        ["status"] = status ?? [],
    };

    internal static AdmissionAttributes Update(string subresource, JsonObject obj, JsonObject old) => new()
    {
        Operation = AdmissionOperation.Update,
        Group = "certificates.k8s.io",
        Version = "v1",
        Resource = "certificatesigningrequests",
        Subresource = subresource,
        Kind = "CertificateSigningRequest",
        Name = "csr",
        Object = obj,
        OldObject = old,
        User = new UserInfo("alice", null, ["devs", UserInfo.AuthenticatedGroup]),
    };
}
