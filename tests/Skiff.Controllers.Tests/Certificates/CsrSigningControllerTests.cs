using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Skiff.Api.Certificates;
using Skiff.ApiServer.Security;
using Skiff.Controllers.Certificates;
using Skiff.Controllers.Tests.Testing;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.Controllers.Tests.Certificates;

public sealed class CsrSigningControllerTests
{
    [Fact]
    public async Task ApiServerClient_ApprovedWithKubectl_IsSignedForRequestedDuration_AndAuthenticates()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["csrsigning", "csrapproving"]));
        var (pem, key) = CsrTestRequests.Create("jane", ["devs"]);
        using var _ = key;
        await h.Kubectl.OkAsync("create", "-f", Write(CsrTestRequests.Manifest("jane", pem, CertificateSigners.KubeApiServerClient, ["client auth", "digital signature"], 700)));

        // Pending: nobody approves kube-apiserver-client requests automatically, and the requester is recorded.
        var table = await h.Kubectl.OkAsync("get", "csr", "jane");
        Assert.Matches(@"NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION", table);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(table, @"jane\s+\S+\s+kubernetes.io/kube-apiserver-client\s+kubernetes-admin\s+11m\s+Pending"), table);

        await h.Kubectl.OkAsync("certificate", "approve", "jane");
        var csrs = h.Clientset.Resource<V1CertificateSigningRequest, V1CertificateSigningRequestList>();
        var issued = (await ListWatch.UntilAsync(csrs, l => l.Any(c => c.Metadata.Name == "jane" && c.Status?.Certificate is { Length: > 0 }))).Single(c => c.Metadata.Name == "jane");
        Assert.Matches(@"jane\s+\S+\s+kubernetes.io/kube-apiserver-client\s+kubernetes-admin\s+11m\s+Approved,Issued", await h.Kubectl.OkAsync("get", "csr", "jane"));

        using var cert = X509Certificate2.CreateFromPem(Encoding.ASCII.GetString(issued.Status.Certificate));
        Assert.Equal(["CN=jane", "O=devs"], cert.Subject.Split(", ").Order(StringComparer.Ordinal));
        Assert.Equal(h.ControlPlane.Host.Certificates.Ca.Subject, cert.Issuer);

        // 700 s requested: short-lived, so NotAfter is not backdated while NotBefore is by five minutes.
        Assert.Equal(TimeSpan.FromSeconds(700) + TimeSpan.FromMinutes(5), cert.NotAfter - cert.NotBefore);
        var eku = Assert.Single(cert.Extensions.OfType<X509EnhancedKeyUsageExtension>());
        Assert.Equal(["1.3.6.1.5.5.7.3.2"], eku.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value));
        Assert.False(Assert.Single(cert.Extensions.OfType<X509BasicConstraintsExtension>()).CertificateAuthority);

        // The certificate authenticates as jane in devs.
        var kubeconfig = Write(KubeconfigWriter.Render(h.ControlPlane.Host.Url, h.ControlPlane.Host.Certificates.CaPem, cert.ExportCertificatePem(), key.ExportPkcs8PrivateKeyPem(), userName: "jane"));
        var whoami = await new Kubectl(kubeconfig).OkAsync("auth", "whoami");
        Assert.Matches(@"Username\s+jane", whoami);
        Assert.Matches(@"Groups\s+\[devs system:authenticated\]", whoami);
    }

    [Fact]
    public async Task KubeletClient_WithWrongSubject_GetsFailedCondition_NotACertificate()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["csrsigning"]));
        var (pem, key) = CsrTestRequests.Create("system:node:n1", ["devs"]);
        key.Dispose();
        await h.Kubectl.OkAsync("create", "-f", Write(CsrTestRequests.Manifest("bad-node", pem, CertificateSigners.KubeApiServerClientKubelet, ["client auth", "digital signature"])));
        await h.Kubectl.OkAsync("certificate", "approve", "bad-node");

        var csrs = h.Clientset.Resource<V1CertificateSigningRequest, V1CertificateSigningRequestList>();
        var failed = (await ListWatch.UntilAsync(csrs, l => l.Any(c => c.Status?.Conditions?.Any(x => x.Type == "Failed") == true))).Single();
        var condition = failed.Status.Conditions.Single(c => c.Type == "Failed");
        Assert.Equal(("True", CsrSigningController.SignerValidationFailure, "subject organization is not system:nodes"), (condition.Status, condition.Reason, condition.Message));
        Assert.Null(failed.Status.Certificate);
        Assert.Matches(@"bad-node\s+\S+\s+kubernetes.io/kube-apiserver-client-kubelet\s+kubernetes-admin\s+<none>\s+Approved,Failed", await h.Kubectl.OkAsync("get", "csr", "bad-node"));
    }

    [Fact]
    public async Task Create_RefusesLegacySigner_BadRequest_ShortDuration_AndUnknownUsage()
    {
        await using var h = await ControllerHarness.StartAsync([]);
        var (pem, key) = CsrTestRequests.Create("x", []);
        key.Dispose();

        var legacy = await h.Kubectl.RunAsync(["create", "-f", Write(CsrTestRequests.Manifest("legacy", pem, CertificateSigners.LegacyUnknown, ["client auth"]))]);
        Assert.NotEqual(0, legacy.Exit);
        Assert.Contains("spec.signerName: Invalid value: \"kubernetes.io/legacy-unknown\": the legacy signerName is not allowed via this API version", legacy.Err);

        var shortLived = await h.Kubectl.RunAsync(["create", "-f", Write(CsrTestRequests.Manifest("short", pem, CertificateSigners.KubeApiServerClient, ["client auth"], 599))]);
        Assert.Contains("spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 600 seconds (10 minutes)", shortLived.Err);

        var garbage = await h.Kubectl.RunAsync(["create", "-f", Write(CsrTestRequests.Manifest("garbage", "not a pem", CertificateSigners.KubeApiServerClient, ["bogus"]))]);
        Assert.Contains("PEM block type must be CERTIFICATE REQUEST", garbage.Err);
        Assert.Contains("spec.usages[0]: Unsupported value: \"bogus\"", garbage.Err);
        Assert.Contains("is invalid", garbage.Err);
    }

    [Fact]
    public async Task KubeletClient_FromBootstrapper_IsAutoApprovedAndSigned_OthersStayPending()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["csrsigning", "csrapproving"]));
        var pki = Path.Combine(h.ControlPlane.DataDirectory, "pki");

        // A user who may create CSRs but lacks the nodeclient permission asks first: recognised, refused by the SubjectAccessReview.
        await h.Kubectl.OkAsync("create", "clusterrolebinding", "stranger-csr", "--clusterrole=system:node-bootstrapper", "--user=stranger");
        var stranger = KubectlAs(h, pki, "stranger", ["devs"]);
        var (strangerPem, k1) = CsrTestRequests.Create("system:node:n2", ["system:nodes"]);
        k1.Dispose();
        await stranger.OkAsync("create", "-f", Write(CsrTestRequests.Manifest("stranger", strangerPem, CertificateSigners.KubeApiServerClientKubelet, ["client auth", "digital signature", "key encipherment"])));

        var bootstrapper = KubectlAs(h, pki, "system:bootstrap:abcdef", [Skiff.ApiServer.Authorization.Bootstrap.BootstrapPolicy.BootstrappersGroup]);
        var (pem, k2) = CsrTestRequests.Create("system:node:n1", ["system:nodes"]);
        k2.Dispose();
        await bootstrapper.OkAsync("create", "-f", Write(CsrTestRequests.Manifest("node-n1", pem, CertificateSigners.KubeApiServerClientKubelet, ["client auth", "digital signature"])));

        var csrs = h.Clientset.Resource<V1CertificateSigningRequest, V1CertificateSigningRequestList>();
        var all = await ListWatch.UntilAsync(csrs, l => l.Any(c => c.Metadata.Name == "node-n1" && c.Status?.Certificate is { Length: > 0 }));
        var approved = all.Single(c => c.Metadata.Name == "node-n1").Status.Conditions.Single(c => c.Type == "Approved");
        Assert.Equal(("True", "AutoApproved", CsrApprovingController.NodeClientMessage), (approved.Status, approved.Reason, approved.Message));
        Assert.Equal("system:bootstrap:abcdef", all.Single(c => c.Metadata.Name == "node-n1").Spec.Username);
        Assert.Null(all.Single(c => c.Metadata.Name == "stranger").Status?.Conditions);
        Assert.Matches(@"node-n1\s+\S+\s+kubernetes.io/kube-apiserver-client-kubelet\s+system:bootstrap:abcdef\s+<none>\s+Approved,Issued", await h.Kubectl.OkAsync("get", "csr"));

        // A node renewing its own certificate (username = CN) is approved as a self renewal.
        var node = KubectlAs(h, pki, "system:node:n1", ["system:nodes"]);
        var (renewPem, k3) = CsrTestRequests.Create("system:node:n1", ["system:nodes"]);
        k3.Dispose();
        await node.OkAsync("create", "-f", Write(CsrTestRequests.Manifest("node-n1-renew", renewPem, CertificateSigners.KubeApiServerClientKubelet, ["client auth", "digital signature"])));
        var renewed = (await ListWatch.UntilAsync(csrs, l => l.Any(c => c.Metadata.Name == "node-n1-renew" && c.Status?.Certificate is { Length: > 0 }))).Single(c => c.Metadata.Name == "node-n1-renew");
        Assert.Equal(CsrApprovingController.SelfNodeClientMessage, renewed.Status.Conditions.Single(c => c.Type == "Approved").Message);
    }

    private static Kubectl KubectlAs(ControllerHarness h, string pki, string user, string[] groups)
    {
        var (cert, key) = ClusterCertificates.IssueClientCertificate(pki, user, groups);
        return new Kubectl(Write(KubeconfigWriter.Render(h.ControlPlane.Host.Url, h.ControlPlane.Host.Certificates.CaPem, cert, key, userName: user)));
    }

    private static string Write(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), "skiff-csr-" + Guid.NewGuid().ToString("N") + (content.TrimStart().StartsWith('{') ? ".json" : ".yaml"));
        File.WriteAllText(path, content);
        return path;
    }
}
