using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Authorization;

/// <summary>
/// The set-up shared by the real-kubectl authorization tests: a fresh control plane per test, the admin's kubectl, and
/// <c>alice</c> (a client certificate in the group <c>viewers</c>, bound to the <c>view</c> cluster role).
/// </summary>
public abstract class ViewerUserTestBase : IAsyncLifetime
{
    protected TestControlPlane Cp { get; private set; } = null!;

    protected Kubectl Admin { get; private set; } = null!;

    protected Kubectl Alice { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cp = await TestControlPlane.StartAsync();
        Admin = new Kubectl(Cp.KubeconfigPath);
        Alice = new Kubectl(Cp.Cluster.WriteKubeconfig("alice", "viewers"));
        await Admin.OkAsync("create", "clusterrolebinding", "viewers-view", "--clusterrole=view", "--group=viewers");
    }

    public async Task DisposeAsync()
    {
        await Cp.DisposeAsync();
    }
}
