using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.GarbageCollector;

/// <summary>One server with the garbage collector running, shared by a test class; each test works in its own namespace.</summary>
public sealed class GarbageCollectorFixture : IAsyncLifetime
{
    public ControllerHarness H { get; private set; } = null!;

    public async Task InitializeAsync() => H = await ControllerHarness.StartAsync(BuiltInControllers.Select(["garbagecollector"]));

    public async Task DisposeAsync() => await H.DisposeAsync();
}
