using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests;

/// <summary>One in-process control plane shared by the tests of a class.</summary>
public sealed class ControlPlaneFixture : IAsyncLifetime
{
    public TestControlPlane Cp { get; private set; } = null!;

    public async Task InitializeAsync() => Cp = await TestControlPlane.StartAsync();

    public async Task DisposeAsync() => await Cp.DisposeAsync();
}
