using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ClientCompat.Tests;

/// <summary>One in-process control plane (a real API server with its admin kubeconfig) shared by a test class.</summary>
public sealed class ControlPlaneFixture : IAsyncLifetime
{
    /// <summary>The running control plane.</summary>
    public TestControlPlane Cp { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync() => Cp = await TestControlPlane.StartAsync();

    /// <inheritdoc/>
    public async Task DisposeAsync() => await Cp.DisposeAsync();
}
