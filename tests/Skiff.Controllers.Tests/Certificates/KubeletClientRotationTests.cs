using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Skiff.ApiServer.Security;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Controllers.Certificates;
using Skiff.Controllers.Tests.Testing;
using Skiff.Kubelet.Certificates;
using Xunit;

namespace Skiff.Controllers.Tests.Certificates;

/// <summary>The kubelet's certificate manager against csrsigning and csrapproving: bootstrap, then a self renewal.</summary>
public sealed class KubeletClientRotationTests
{
    [Fact]
    public async Task KubeletClientCertificate_IsBootstrapped_ThenRotatedBeforeExpiry_ThroughASelfRenewal()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["csrsigning", "csrapproving"]));
        var pki = Path.Combine(h.ControlPlane.DataDirectory, "pki");
        var (cert, key) = ClusterCertificates.IssueClientCertificate(pki, "system:bootstrap:abcdef", [Skiff.ApiServer.Authorization.Bootstrap.BootstrapPolicy.BootstrappersGroup]);
        var bootstrap = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.Parse(
            KubeconfigWriter.Render(h.ControlPlane.Host.Url, h.ControlPlane.Host.Certificates.CaPem, cert, key, userName: "bootstrap"))) with { Qps = 0 };
        var dir = Directory.CreateTempSubdirectory("skiff-kubelet-pki-");
        using var stop = new CancellationTokenSource();
        var rotation = Task.CompletedTask;
        try
        {
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var manager = new KubeletClientCertificateManager("n1", dir.FullName, clock, NullLogger.Instance);
            var kubeconfig = Path.Combine(dir.FullName, "kubeconfig");
            var nodeConfig = await manager.BootstrapAsync(bootstrap, kubeconfig, CancellationToken.None);
            var first = manager.Current!;
            Assert.Equal(["CN=system:node:n1", "O=system:nodes"], first.Subject.Split(", ").Order(StringComparer.Ordinal));
            Assert.True(File.Exists(kubeconfig));

            // The written kubeconfig authenticates as the node.
            using var node = new Clientset(nodeConfig with { Qps = 0 });
            var csrs = h.Clientset.Resource<V1CertificateSigningRequest, V1CertificateSigningRequestList>();
            Assert.Single((await node.Resource<V1CertificateSigningRequest, V1CertificateSigningRequestList>().ListAsync()).Items);

            // A second manager over the same directory reuses the valid certificate instead of asking again.
            var again = new KubeletClientCertificateManager("n1", dir.FullName, clock, NullLogger.Instance);
            await again.BootstrapAsync(bootstrap, kubeconfig, CancellationToken.None);
            Assert.Equal(first.SerialNumber, again.Current!.SerialNumber);

            var rotated = new TaskCompletionSource<X509Certificate2>(TaskCreationOptions.RunContinuationsAsynchronously);
            manager.Rotated += c =>
            {
                // The fake clock stays past every deadline: one rotation is what this test looks at.
                stop.Cancel();
                rotated.TrySetResult(c);
            };
            rotation = manager.RunRotationAsync(node, stop.Token);

            // Past 90 % of the lifetime: the manager renews with the node's own identity (a self renewal).
            clock.SetUtcNow(new DateTimeOffset(first.NotBefore.ToUniversalTime()) + ((first.NotAfter - first.NotBefore) * 0.91));
            var renewed = await rotated.Task.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.NotEqual(first.SerialNumber, renewed.SerialNumber);
            Assert.Equal(renewed.SerialNumber, manager.Current!.SerialNumber);
            using (var onDisk = X509Certificate2.CreateFromPemFile(manager.CurrentPath, manager.CurrentPath))
            {
                Assert.Equal(renewed.SerialNumber, onDisk.SerialNumber);
            }

            var all = await ListWatch.UntilAsync(csrs, l => l.Count(c => c.Status?.Certificate is { Length: > 0 }) == 2);
            var renewal = all.Single(c => c.Spec.Username == "system:node:n1");
            Assert.Equal(CsrApprovingController.SelfNodeClientMessage, renewal.Status.Conditions.Single(c => c.Type == "Approved").Message);

            // Clients made from the config present the new certificate from their next connection.
            using var fresh = new Clientset(nodeConfig with { Qps = 0 });
            Assert.Equal(2, (await fresh.Resource<V1CertificateSigningRequest, V1CertificateSigningRequestList>().ListAsync()).Items.Count);

            // Stopped: the loop ends (cancelled), never faulted.
            await rotation.ContinueWith(_ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.False(rotation.IsFaulted, rotation.Exception?.ToString());
        }
        finally
        {
            await stop.CancelAsync();
            await rotation.ContinueWith(_ => { }, TaskScheduler.Default);
            dir.Delete(recursive: true);
        }
    }
}
