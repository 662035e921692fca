using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>One <c>skiff up</c> process shared by the tests of a class (when kubectl is installed).</summary>
public sealed class SkiffFixture : IAsyncLifetime
{
    /// <summary>The running server, or null when kubectl is absent (the tests skip).</summary>
    public SkiffProcess? Skiff { get; private set; }

    public async Task InitializeAsync()
    {
        if (SkiffProcess.KubectlAvailable)
        {
            Skiff = await SkiffProcess.StartAsync();
        }
    }

    public async Task DisposeAsync()
    {
        if (Skiff is not null)
        {
            await Skiff.DisposeAsync();
        }
    }
}
