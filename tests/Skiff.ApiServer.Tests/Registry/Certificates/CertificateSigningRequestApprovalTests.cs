using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Certificates;

/// <summary><c>certificatesigningrequests/NAME/approval</c>, driven by the real <c>kubectl certificate approve|deny</c>.</summary>
public sealed class CertificateSigningRequestApprovalTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private const string Csrs = "/apis/certificates.k8s.io/v1/certificatesigningrequests";

    [Fact]
    public async Task KubectlCertificateApprove_SetsApprovedThroughApproval_AndDenyAfterwardsIsRefused()
    {
        await CreateAsync("csr-approve");
        var kubectl = new Kubectl(f.Cp.KubeconfigPath);

        var (exit, stdout, stderr) = await kubectl.RunAsync(["certificate", "approve", "csr-approve"]);
        Assert.True(exit == 0, stderr);
        Assert.Contains("approved", stdout, StringComparison.Ordinal);

        var csr = await GetAsync("csr-approve");
        var condition = Assert.Single(csr["status"]!["conditions"]!.AsArray())!;
        Assert.Equal("Approved", condition["type"]!.GetValue<string>());
        Assert.Equal("True", condition["status"]!.GetValue<string>());
        Assert.Equal("KubectlApprove", condition["reason"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(condition["lastTransitionTime"]?.GetValue<string>()));
        var (_, table, _) = await kubectl.RunAsync(["get", "csr", "csr-approve", "--no-headers"]);
        Assert.Contains("Approved", table, StringComparison.Ordinal);

        // Denying an approved request is refused (the conditions are mutually exclusive) and changes nothing.
        var (denyExit, _, _) = await kubectl.RunAsync(["certificate", "deny", "csr-approve"]);
        Assert.NotEqual(0, denyExit);
        Assert.Equal(["Approved"], (await GetAsync("csr-approve"))["status"]!["conditions"]!.AsArray().Select(c => c!["type"]!.GetValue<string>()));
    }

    [Fact]
    public async Task KubectlCertificateDeny_SetsDenied()
    {
        await CreateAsync("csr-deny");
        var (exit, _, stderr) = await new Kubectl(f.Cp.KubeconfigPath).RunAsync(["certificate", "deny", "csr-deny"]);
        Assert.True(exit == 0, stderr);
        Assert.Equal("Denied", (await GetAsync("csr-deny"))["status"]!["conditions"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task Approval_ChangesOnlyConditions_AndStatusUpdateCannotApprove()
    {
        var created = await CreateAsync("csr-only-conditions");
        var body = (JsonObject)created.DeepClone();
        body["spec"]!["signerName"] = "example.com/other";
        body["status"] = new JsonObject
        {
            ["certificate"] = "Zm9v",
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Approved", ["status"] = "True", ["reason"] = "Test" }),
        };

        var (status, approved, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{Csrs}/csr-only-conditions/approval", body);

        Assert.Equal(200, status);
        Assert.Equal("kubernetes.io/kube-apiserver-client", approved!["spec"]!["signerName"]!.GetValue<string>());
        Assert.Null(approved["status"]!["certificate"]);
        Assert.Equal("Approved", approved["status"]!["conditions"]![0]!["type"]!.GetValue<string>());

        // Through /status a signer cannot drop the approval.
        var viaStatus = (JsonObject)approved.DeepClone();
        viaStatus["status"]!["conditions"] = new JsonArray();
        var (statusCode, updated, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{Csrs}/csr-only-conditions/status", viaStatus);
        Assert.Equal(200, statusCode);
        Assert.Equal("Approved", updated!["status"]!["conditions"]![0]!["type"]!.GetValue<string>());
    }

    private async Task<JsonObject> CreateAsync(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = new CertificateRequest("CN=alice, O=devs", key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        var csr = new JsonObject
        {
            ["apiVersion"] = "certificates.k8s.io/v1",
            ["kind"] = "CertificateSigningRequest",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["request"] = Convert.ToBase64String(Encoding.ASCII.GetBytes(pem)),
                ["signerName"] = "kubernetes.io/kube-apiserver-client",
                ["usages"] = new JsonArray("client auth"),
            },
        };
        var (status, created, _) = await f.Cp.SendAsync(HttpMethod.Post, Csrs, csr);
        Assert.Equal(201, status);
        return created!.AsObject();
    }

    private async Task<JsonObject> GetAsync(string name)
    {
        var (status, csr, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Csrs}/{name}");
        Assert.Equal(200, status);
        return csr!.AsObject();
    }
}
