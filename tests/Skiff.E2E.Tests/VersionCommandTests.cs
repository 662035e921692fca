using System.Diagnostics;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// <c>skiff version --verbose</c> on the built binary: it runs with the GC settings of <c>src/Skiff/Skiff.Runtime.props</c>
/// (runtimeconfig properties, no flags), and a user's <c>DOTNET_*</c> variables override them.
/// </summary>
public sealed class VersionCommandTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private static async Task<IReadOnlyDictionary<string, string>> VerboseAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(SkiffProcess.SkiffDll);
        psi.ArgumentList.Add("version");
        psi.ArgumentList.Add("--verbose");
        // The test host's own GC variables (if any) must not leak into what is measured.
        foreach (var name in psi.Environment.Keys.Where(k => k.StartsWith("DOTNET_gc", StringComparison.OrdinalIgnoreCase) || k.StartsWith("COMPlus_gc", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            psi.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            psi.Environment[name] = value;
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(Deadline);
        Assert.True(p.ExitCode == 0, await stderr);
        return (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split(": ", 2))
            .Where(f => f.Length == 2)
            .ToDictionary(f => f[0], f => f[1].TrimEnd('\r'), StringComparer.Ordinal);
    }

    [Fact]
    public async Task Verbose_ReportsTheShippedGcSettings()
    {
        var settings = await VerboseAsync();
        Assert.StartsWith(".NET ", settings["runtime"], StringComparison.Ordinal);
        Assert.Equal("false", settings["gc.server"]);
        Assert.Equal("true", settings["gc.concurrent"]);
        Assert.Equal("67108864", settings["gc.gen0MaxBudget"]);
        Assert.Equal("false", settings["jit.tieredPGO"]);
    }

    [Fact]
    public async Task Verbose_UserEnvironmentOverridesTheShippedSettings()
    {
        var settings = await VerboseAsync(new Dictionary<string, string>
        {
            ["DOTNET_gcServer"] = "1",
            ["DOTNET_GCGen0MaxBudget"] = "0x1000000",
            ["DOTNET_GCgen0size"] = "0x2000000",
        });
        Assert.Equal("true", settings["gc.server"]);
        Assert.Equal("16777216", settings["gc.gen0MaxBudget"]);
        Assert.Equal("0x2000000", settings["env.GCgen0size"]);
    }
}
