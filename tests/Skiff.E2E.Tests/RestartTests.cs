using Xunit;

namespace Skiff.E2E.Tests;

public sealed class RestartTests
{
    [SkippableFact]
    public async Task Restart_SameDataDir_KeepsObjectsAndResourceVersions()
    {
        Skip.IfNot(SkiffProcess.KubectlAvailable, "kubectl not installed");
        var dir = Path.Combine(Path.GetTempPath(), "skiff-e2e-restart-" + Guid.NewGuid().ToString("N")[..8]);
        string rv;
        await using (var first = await SkiffProcess.StartAsync(dir))
        {
            var create = await first.KubectlAsync("create --validate=false -f -", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keep\ndata:\n  a: b\n");
            Assert.True(create.Exit == 0, create.Err);
            rv = (await first.KubectlAsync("get cm keep -o jsonpath={.metadata.resourceVersion}")).Out;
            Assert.Equal(0, await first.StopAsync());
        }

        await using var second = await SkiffProcess.StartAsync(dir);
        var again = await second.KubectlAsync("get cm keep -o jsonpath={.metadata.resourceVersion}");
        Assert.Equal(rv, again.Out);
    }

    [Fact]
    public async Task BadFlag_ExitsWithUsageError2()
    {
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        psi.ArgumentList.Add(SkiffProcess.SkiffDll);
        psi.ArgumentList.Add("up");
        psi.ArgumentList.Add("--bogus");
        using var p = System.Diagnostics.Process.Start(psi)!;
        var err = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        Assert.Equal(2, p.ExitCode);
        Assert.Contains("error: Unrecognized command or argument '--bogus'", err);
        Assert.Contains("skiff up --help", err);
    }
}
