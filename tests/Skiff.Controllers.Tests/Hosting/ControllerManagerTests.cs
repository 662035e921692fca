using Skiff.ApiServer.Security;
using Skiff.Client.Config;
using Skiff.Controllers.Hosting;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.Controllers.Tests.Hosting;

public sealed class ControllerManagerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Run_OwnIdentity_LeadsOnTheKubeControllerManagerLeaseAndReleasesItOnStop()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var config = ControllerManagerConfig(cp);
        using var cm = new ControllerManager(new ControllerManagerOptions
        {
            Client = config,
            RootCaBundle = cp.Host.Certificates.CaPem,
            Identity = "cm-under-test",
        });
        Assert.Equal(BuiltInControllers.Select().Select(c => c.Name), cm.Enabled.Select(c => c.Name));

        using var stop = new CancellationTokenSource();
        var run = cm.RunAsync(stop.Token);
        await Task.WhenAny(cm.Manager.Elected, run).WaitAsync(Deadline);
        Assert.False(run.IsFaulted);
        var lease = await cm.Clientset.CoordinationV1().Leases("kube-system").GetAsync("kube-controller-manager");
        Assert.Equal("cm-under-test", lease.Spec.HolderIdentity);

        await stop.CancelAsync();
        await run.WaitAsync(Deadline);
        lease = await cm.Clientset.CoordinationV1().Leases("kube-system").GetAsync("kube-controller-manager");
        Assert.True(string.IsNullOrEmpty(lease.Spec.HolderIdentity));
    }

    [Fact]
    public void Create_UnknownControllerSelected_Throws()
    {
        var config = new ClientConfig { Host = new Uri("https://127.0.0.1:1") };
        var e = Assert.Throws<ArgumentException>(() => new ControllerManager(new ControllerManagerOptions { Client = config, Controllers = ["no-such-controller"] }));
        Assert.Contains("no-such-controller", e.Message);
    }

    /// <summary>A client authenticated as system:kube-controller-manager with a certificate from the cluster CA, as skiff up issues it.</summary>
    private static ClientConfig ControllerManagerConfig(TestControlPlane cp)
    {
        var (cert, key) = ClusterCertificates.IssueClientCertificate(Path.Combine(cp.DataDirectory, "pki"), "system:kube-controller-manager", []);
        var yaml = KubeconfigWriter.Render(cp.Host.Url, cp.Host.Certificates.CaPem, cert, key, userName: "system:kube-controller-manager");
        return ClientConfigLoader.FromKubeConfig(KubeConfigLoader.Parse(yaml)) with { Qps = 0 };
    }
}
