using Skiff.ApiServer.Registry;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry;

/// <summary>An in-process control plane serving the built-in catalogue, shared by the tests of a class.</summary>
public sealed class BuiltInControlPlaneFixture : IAsyncLifetime
{
    public TestControlPlane Cp { get; private set; } = null!;

    public async Task InitializeAsync() => Cp = await TestControlPlane.StartAsync(BuiltInResources.Create(new BuiltInResourceOptions()));

    public async Task DisposeAsync() => await Cp.DisposeAsync();
}
