using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Skiff.Api.Certificates;
using Skiff.ApiServer.Security;
using Skiff.Client.Config;
using Skiff.Client.Typed;
using Skiff.Controllers.Tests.Testing;
using Skiff.Kubelet.Certificates;
using Skiff.Kubelet.Server;
using Xunit;

namespace Skiff.Controllers.Tests.Certificates;

/// <summary>
/// The kubelet's serving certificate through a <c>kubernetes.io/kubelet-serving</c> CSR, end to end: the kubelet's HTTPS
/// server refuses handshakes until an admin runs the real <c>kubectl certificate approve</c> (csrapproving leaves such
/// requests alone), csrsigning issues it, the server presents it from the next handshake, and past 90 % of its
/// lifetime (a fake clock) a new request replaces it.
/// </summary>
public sealed class KubeletServingCertificateTests
{
    private static readonly V1NodeAddress[] Addresses =
        [new() { Type = "InternalIP", Address = "127.0.0.1" }, new() { Type = "Hostname", Address = "n1" }];

    [Fact]
    public async Task ServingCertificate_IsServedAfterKubectlApprove_ThenRotated()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["csrsigning", "csrapproving"]));
        var pki = Path.Combine(h.ControlPlane.DataDirectory, "pki");
        var (cert, key) = ClusterCertificates.IssueClientCertificate(pki, "system:node:n1", ["system:nodes"]);
        var nodeConfig = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.Parse(
            KubeconfigWriter.Render(h.ControlPlane.Host.Url, h.ControlPlane.Host.Certificates.CaPem, cert, key, userName: "node"))) with { Qps = 0 };
        using var node = new Clientset(nodeConfig);
        var dir = Directory.CreateTempSubdirectory("skiff-kubelet-serving-");
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var manager = new KubeletServingCertificateManager("n1", dir.FullName, () => Addresses, clock, NullLogger.Instance);
        var issued = System.Threading.Channels.Channel.CreateUnbounded<X509Certificate2>();
        manager.Rotated += c => issued.Writer.TryWrite(c);
        using var stop = new CancellationTokenSource();
        var rotation = Task.CompletedTask;
        var server = new KubeletServer(new KubeletServerOptions
        {
            ServingCertificateSelector = manager.SelectForHandshake,
            ClientCa = h.ControlPlane.Host.Certificates.Ca,
            Runtime = new NoPods(),
            BindAddress = IPAddress.Loopback,
            Port = 0,
        });
        try
        {
            await server.StartAsync(CancellationToken.None);
            Assert.Null(manager.Current);
            await Assert.ThrowsAnyAsync<Exception>(() => PresentedAsync(server.Port));

            rotation = manager.RunRotationAsync(node, stop.Token);
            var csrs = h.Clientset.Resource<V1CertificateSigningRequest, V1CertificateSigningRequestList>();
            var first = await PendingServingRequestAsync(csrs, 1);
            Assert.StartsWith("csr-", first.Metadata.Name, StringComparison.Ordinal);
            Assert.Equal("system:node:n1", first.Spec.Username);
            Assert.Equal(["digital signature", "server auth"], first.Spec.Usages);
            var parsed = ParsedCertificateRequest.TryParse(first.Spec.Request, out var error);
            Assert.True(parsed is not null, error);
            Assert.Equal(["n1"], parsed.DnsNames);
            Assert.Equal([IPAddress.Loopback], parsed.IpAddresses);
            Assert.Equal(["system:nodes"], parsed.Organizations);

            // Until approved, handshakes still fail; kubectl certificate approve (the admin) lets csrsigning issue it.
            await Assert.ThrowsAnyAsync<Exception>(() => PresentedAsync(server.Port));
            await h.Kubectl.OkAsync("certificate", "approve", first.Metadata.Name);
            var served = await issued.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            using (var presented = await PresentedAsync(server.Port))
            {
                Assert.Equal(served.SerialNumber, presented.SerialNumber);
                Assert.Equal(["CN=system:node:n1", "O=system:nodes"], presented.Subject.Split(", ").Order(StringComparer.Ordinal));
                Assert.Equal(h.ControlPlane.Host.Certificates.Ca.Subject, presented.Issuer);
                var san = presented.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
                Assert.Equal(["n1"], san.EnumerateDnsNames());
                Assert.Equal([IPAddress.Loopback], san.EnumerateIPAddresses());
            }

            // Only kubectl approved it: csrapproving does not auto-approve serving requests.
            var approved = await csrs.GetAsync(first.Metadata.Name);
            Assert.Equal("KubectlApprove", Assert.Single(approved.Status.Conditions, c => c.Type == "Approved").Reason);
            Assert.True(File.Exists(manager.CurrentPath));

            // Past 90 % of its lifetime a new request is made; once approved and issued the server presents it.
            clock.SetUtcNow(new DateTimeOffset(served.NotBefore.ToUniversalTime()) + ((served.NotAfter - served.NotBefore) * 0.91));
            var second = await PendingServingRequestAsync(csrs, 2);
            await h.Kubectl.OkAsync("certificate", "approve", second.Metadata.Name);
            var renewed = await issued.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.NotEqual(served.SerialNumber, renewed.SerialNumber);
            using (var presented = await PresentedAsync(server.Port))
            {
                Assert.Equal(renewed.SerialNumber, presented.SerialNumber);
            }

            // A manager started over the same directory presents the stored certificate at once.
            var restarted = new KubeletServingCertificateManager("n1", dir.FullName, () => Addresses, clock, NullLogger.Instance);
            Assert.Equal(renewed.SerialNumber, restarted.SelectForHandshake().SerialNumber);
        }
        finally
        {
            await stop.CancelAsync();
            await rotation.ContinueWith(_ => { }, TaskScheduler.Default);
            await server.DisposeAsync();
            dir.Delete(recursive: true);
        }

        Assert.False(rotation.IsFaulted, rotation.Exception?.ToString());
    }

    [Fact]
    public void NoIssuedCertificate_FailsTheHandshake_WithUpstreamsMessage()
    {
        var dir = Directory.CreateTempSubdirectory("skiff-kubelet-serving-");
        try
        {
            var manager = new KubeletServingCertificateManager("n1", dir.FullName, () => Addresses, TimeProvider.System, NullLogger.Instance);
            var e = Assert.Throws<AuthenticationException>(manager.SelectForHandshake);
            Assert.Equal("no serving certificate available for the kubelet", e.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    /// <summary>Waits for the <paramref name="count"/>th kubelet-serving request and returns the one without a certificate.</summary>
    private static async Task<V1CertificateSigningRequest> PendingServingRequestAsync(
        ResourceClient<V1CertificateSigningRequest, V1CertificateSigningRequestList> csrs, int count)
    {
        var all = await ListWatch.UntilAsync(csrs, l => l.Count(c => c.Spec.SignerName == CertificateSigners.KubeletServing) == count);
        return all.Single(c => c.Spec.SignerName == CertificateSigners.KubeletServing && c.Status?.Certificate is not { Length: > 0 });
    }

    /// <summary>The certificate the server at <paramref name="port"/> presents in a TLS handshake (throws when there is none).</summary>
    private static async Task<X509Certificate2> PresentedAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        X509Certificate2? seen = null;
        await using var tls = new SslStream(tcp.GetStream(), false, (_, c, _, _) =>
        {
            seen = c is null ? null : X509CertificateLoader.LoadCertificate(c.GetRawCertData());
            return true;
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "n1" }).WaitAsync(TimeSpan.FromSeconds(30));
        return seen ?? throw new InvalidOperationException("no certificate presented");
    }

    private sealed class NoPods : IPodRuntimeLookup
    {
        public PodRuntimeInfo? Find(string ns, string name) => null;

        public Task<Uri> ExecUrlAsync(string containerId, IReadOnlyList<string> command, bool tty, bool stdin, bool stdout, bool stderr, CancellationToken ct) =>
            throw new NotSupportedException();

        public Task<Uri> AttachUrlAsync(string containerId, bool tty, bool stdin, bool stdout, bool stderr, CancellationToken ct) => throw new NotSupportedException();

        public Task<Uri> PortForwardUrlAsync(string sandboxId, IReadOnlyList<int> ports, CancellationToken ct) => throw new NotSupportedException();
    }
}
