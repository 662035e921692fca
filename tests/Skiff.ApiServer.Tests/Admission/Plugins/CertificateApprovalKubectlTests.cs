using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission.Plugins;

/// <summary>
/// The certificate plugins behind the real kubectl, with RBAC enforced: a user who may update
/// <c>certificatesigningrequests/approval</c> but holds no <c>approve</c> on the signer gets upstream's Forbidden from
/// <c>kubectl certificate approve</c>; granting <c>approve</c> on <c>kubernetes.io/*</c> lets them; the admin always
/// can; and a <c>system:masters</c> request for the API-server client signer is refused at create.
/// </summary>
public sealed class CertificateApprovalKubectlTests : IAsyncLifetime
{
    private const string Csrs = "/apis/certificates.k8s.io/v1/certificatesigningrequests";
    private TestControlPlane _cp = null!;

    public async Task InitializeAsync() => _cp = await TestControlPlane.StartAsync();

    public async Task DisposeAsync() => await _cp.DisposeAsync();

    [Fact]
    public async Task ApproveWithoutTheSignerVerb_IsForbidden_WithTheVerbItIsAllowed_AdminAlways()
    {
        var admin = new Kubectl(_cp.KubeconfigPath);
        var bob = new Kubectl(_cp.Cluster.WriteKubeconfig("bob", "csr-reviewers"));
        await PostAsync("/apis/rbac.authorization.k8s.io/v1/clusterroles", JsonNode.Parse("""
            {"metadata":{"name":"csr-reviewer"},"rules":[
              {"apiGroups":["certificates.k8s.io"],"resources":["certificatesigningrequests"],"verbs":["get","list","watch"]},
              {"apiGroups":["certificates.k8s.io"],"resources":["certificatesigningrequests/approval"],"verbs":["update"]}]}
            """)!);
        await admin.OkAsync("create", "clusterrolebinding", "csr-reviewers", "--clusterrole=csr-reviewer", "--group=csr-reviewers");
        await CreateCsrAsync("by-bob", "CN=carol, O=devs");
        await CreateCsrAsync("by-admin", "CN=dave, O=devs");

        var (exit, _, err) = await bob.RunAsync(["certificate", "approve", "by-bob"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("certificatesigningrequests.certificates.k8s.io \"by-bob\" is forbidden: user not permitted to approve requests with signerName \"kubernetes.io/kube-apiserver-client\"",
            err, StringComparison.Ordinal);
        Assert.Equal("", await admin.OkAsync("get", "csr", "by-bob", "-o", "jsonpath={.status.conditions}"));

        Assert.Contains("approved", await admin.OkAsync("certificate", "approve", "by-admin"), StringComparison.Ordinal);
        Assert.Equal("Approved", await admin.OkAsync("get", "csr", "by-admin", "-o", "jsonpath={.status.conditions[0].type}"));

        // approve on the domain wildcard (upstream's second check) is enough.
        await PostAsync("/apis/rbac.authorization.k8s.io/v1/clusterroles", JsonNode.Parse("""
            {"metadata":{"name":"kubernetes-io-approver"},"rules":[
              {"apiGroups":["certificates.k8s.io"],"resources":["signers"],"resourceNames":["kubernetes.io/*"],"verbs":["approve"]}]}
            """)!);
        await admin.OkAsync("create", "clusterrolebinding", "kubernetes-io-approvers", "--clusterrole=kubernetes-io-approver", "--group=csr-reviewers");
        Assert.Contains("approved", await RetryUntilOkAsync(bob, "certificate", "approve", "by-bob"), StringComparison.Ordinal);
        Assert.Equal("Approved", await admin.OkAsync("get", "csr", "by-bob", "-o", "jsonpath={.status.conditions[0].type}"));
    }

    [Fact]
    public async Task SystemMastersRequestForTheApiServerClientSigner_IsRefusedAtCreate()
    {
        var (status, body, _) = await _cp.SendAsync(HttpMethod.Post, Csrs, Csr("root", "CN=root, O=system:masters"));
        Assert.Equal(403, status);
        Assert.Equal("certificatesigningrequests.certificates.k8s.io \"root\" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed",
            (string?)body!["message"]);
        Assert.Equal(404, (await _cp.SendAsync(HttpMethod.Get, $"{Csrs}/root")).Status);
    }

    /// <summary>The RBAC cache follows the store: a new binding applies within moments, so retry on Forbidden until a deadline.</summary>
    private static async Task<string> RetryUntilOkAsync(Kubectl kubectl, params string[] args)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var (exit, stdout, stderr) = await kubectl.RunAsync(args);
            if (exit == 0 || DateTime.UtcNow > deadline)
            {
                Assert.True(exit == 0, stderr);
                return stdout;
            }
        }
    }

    private async Task CreateCsrAsync(string name, string subject)
    {
        var (status, body, _) = await _cp.SendAsync(HttpMethod.Post, Csrs, Csr(name, subject));
        Assert.True(status == 201, body?.ToJsonString());
    }

    private async Task PostAsync(string path, JsonNode body)
    {
        var (status, created, _) = await _cp.SendAsync(HttpMethod.Post, path, body);
        Assert.True(status == 201, created?.ToJsonString());
    }

    private static JsonObject Csr(string name, string subject)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var pem = new CertificateRequest(subject, key, HashAlgorithmName.SHA256).CreateSigningRequestPem();
        return new JsonObject
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
    }
}
