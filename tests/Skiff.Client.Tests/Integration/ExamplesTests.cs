using System.Diagnostics;
using Xunit;

namespace Skiff.Client.Tests.Integration;

/// <summary>Runs the example programs (as separate processes, like a user would) against the control plane's kubeconfig.</summary>
public sealed class ExamplesTests(ControlPlaneFixture fx) : IClassFixture<ControlPlaneFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>The example's built dll, next to this test assembly's configuration (bin/&lt;Configuration&gt;/net10.0).</summary>
    private static string ExampleDll(string name)
    {
        var here = AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar);
        var framework = Path.GetFileName(here);
        var configuration = Path.GetFileName(Path.GetDirectoryName(here)!);
        var dir = new DirectoryInfo(here);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Skiff.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        var dll = Path.Combine(dir.FullName, "examples", name, "bin", configuration, framework, name + ".dll");
        Assert.True(File.Exists(dll), $"{dll} is not built");
        return dll;
    }

    private static Process Start(string name, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(ExampleDll(name));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi)!;
    }

    /// <summary>Reads stdout lines until one satisfies <paramref name="done"/>; returns all read.</summary>
    private static async Task<List<string>> ReadUntilAsync(Process p, Func<string, bool> done)
    {
        var lines = new List<string>();
        using var cts = new CancellationTokenSource(Deadline);
        while (await p.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            lines.Add(line);
            if (done(line))
            {
                return lines;
            }
        }

        throw new InvalidOperationException($"exited without the expected line; stdout: {string.Join(" | ", lines)}; stderr: {await p.StandardError.ReadToEndAsync(cts.Token)}");
    }

    [Fact]
    public async Task OutOfCluster_Once_CountsPodsAndReportsTheMissingOne()
    {
        using var cs = fx.Clientset();
        var ns = await fx.NamespaceAsync(cs);
        await cs.CoreV1().Pods(ns).CreateAsync(TestObjects.Pod("one"));
        await cs.CoreV1().Pods(ns).CreateAsync(TestObjects.Pod("two"));
        var total = (await cs.CoreV1().Pods().ListAsync()).Items.Count;

        using var p = Start("OutOfCluster", "--kubeconfig", fx.Cp.KubeconfigPath, "--once");
        var stdout = await p.StandardOutput.ReadToEndAsync();
        var stderr = await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(Deadline);
        Assert.True(p.ExitCode == 0, stderr);
        Assert.Equal(
            [$"There are {total} pods in the cluster", "Pod example-xxxxx in namespace default not found"],
            stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Equal(2, total);
    }

    [Fact]
    public async Task NamespaceController_SeesNamespacesThroughTheQueue()
    {
        using var cs = fx.Clientset();
        using var p = Start("NamespaceController", "--kubeconfig", fx.Cp.KubeconfigPath);
        try
        {
            var lines = await ReadUntilAsync(p, l => l.StartsWith("Sync/Add/Update for Namespace kube-system", StringComparison.Ordinal));
            Assert.Equal("Starting Namespace controller", lines[0]);
            var ns = await fx.NamespaceAsync(cs, "ex");
            await ReadUntilAsync(p, l => l.StartsWith($"Sync/Add/Update for Namespace {ns}", StringComparison.Ordinal));
        }
        finally
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync().WaitAsync(Deadline);
        }
    }

    [Fact]
    public async Task LeaderElection_SingleCandidate_LeadsAndReportsItself()
    {
        using var p = Start("LeaderElection", "--kubeconfig", fx.Cp.KubeconfigPath, "--id", "only", "--lease-lock-name", "example-test");
        try
        {
            var lines = await ReadUntilAsync(p, l => l == "Controller loop...");
            Assert.Contains("still the leader!", lines);
        }
        finally
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync().WaitAsync(Deadline);
        }

        using var cs = fx.Clientset();
        Assert.Equal("only", (await cs.CoordinationV1().Leases("default").GetAsync("example-test")).Spec.HolderIdentity);
    }
}
