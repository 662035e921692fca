using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// Kubelet TLS bootstrap with the real binaries: <c>skiff up</c> (csrsigning and csrapproving in its controller
/// manager), a bootstrap token Secret, and <c>skiff kubelet --bootstrap-kubeconfig</c>, which obtains
/// <c>system:node:NAME</c> through an auto-approved CSR and writes its kubeconfig before it looks for a runtime.
/// The runtime endpoint points nowhere, so no real node (and no lock) is needed: the kubelet stops right after.
/// </summary>
public sealed class KubeletBootstrapTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [SkippableFact]
    public async Task Kubelet_BootstrapsItsClientCertificate_ThroughAnAutoApprovedCsr()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        await using var skiff = await SkiffProcess.StartAsync("up", null, null, ["--storage", "memory"]);
        await skiff.KubectlArgsOkAsync(["create", "secret", "generic", "bootstrap-token-e2eabc", "-n", "kube-system", "--type=bootstrap.kubernetes.io/token",
            "--from-literal=token-id=e2eabc", "--from-literal=token-secret=0123456789abcdef", "--from-literal=usage-bootstrap-authentication=true"]);

        var work = Directory.CreateTempSubdirectory("skiff-bootstrap-");
        try
        {
            var ca = Convert.ToBase64String(File.ReadAllBytes(Path.Combine(skiff.DataDir, "pki", "ca.crt")));
            var bootstrap = Path.Combine(work.FullName, "bootstrap.kubeconfig");
            File.WriteAllText(bootstrap, $"""
                apiVersion: v1
                kind: Config
                clusters:
                - cluster:
                    certificate-authority-data: {ca}
                    server: https://127.0.0.1:{skiff.Port}
                  name: skiff
                contexts:
                - context:
                    cluster: skiff
                    user: bootstrap
                  name: bootstrap
                current-context: bootstrap
                users:
                - name: bootstrap
                  user:
                    token: e2eabc.0123456789abcdef
                """);
            var kubeconfig = Path.Combine(work.FullName, "kubelet.kubeconfig");
            await using var kubelet = ControllerManagerProcess.StartComponent("kubelet", kubeconfig,
                "--bootstrap-kubeconfig", bootstrap, "--node-name", "boot-node", "--root-dir", Path.Combine(work.FullName, "root"),
                "--container-runtime-endpoint", "unix://" + Path.Combine(work.FullName, "no-runtime.sock"));

            // Bootstrap happens first; then the kubelet fails to reach the (absent) runtime and says so.
            await kubelet.Log.WaitForLineAsync(l => l.StartsWith("error:", StringComparison.Ordinal) || l.StartsWith("Unhandled", StringComparison.Ordinal)).WaitAsync(Deadline);
            Assert.DoesNotContain("Unhandled", kubelet.Log.Text, StringComparison.Ordinal);
            Assert.True(File.Exists(kubeconfig), kubelet.Log.Text);

            var whoami = JsonNode.Parse((await skiff.KubectlArgsOkAsync(["--kubeconfig", kubeconfig, "auth", "whoami", "-o", "json"])).Out)!["status"]!["userInfo"]!;
            Assert.Equal("system:node:boot-node", (string?)whoami["username"]);
            Assert.Contains("system:nodes", whoami["groups"]!.AsArray().Select(g => (string?)g));

            var (_, table, _) = await skiff.KubectlOkAsync("get csr");
            Assert.Matches(@"node-csr-\S+\s+\S+\s+kubernetes.io/kube-apiserver-client-kubelet\s+system:bootstrap:e2eabc\s+<none>\s+Approved,Issued", table);
            var csr = JsonNode.Parse((await skiff.KubectlOkAsync("get csr -o json")).Out)!["items"]!.AsArray().Single()!;
            var approved = csr["status"]!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Approved")!;
            Assert.Equal("AutoApproved", (string?)approved["reason"]);
            Assert.Equal("Auto approving kubelet client certificate after SubjectAccessReview.", (string?)approved["message"]);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }
}
