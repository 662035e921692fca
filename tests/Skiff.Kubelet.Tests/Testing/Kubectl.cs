using System.Diagnostics;

namespace Skiff.Kubelet.Tests.Testing;

/// <summary>The real kubectl (/usr/bin/kubectl) against a kubeconfig, with its own cache directory.</summary>
public sealed class Kubectl(string kubeconfig)
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "skiff-kubectl-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Runs kubectl with <paramref name="args"/>, asserts it exited 0 (stderr is the failure message) and returns stdout.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var psi = new ProcessStartInfo("/usr/bin/kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(Path.Combine(_home, "cache"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["KUBECONFIG"] = kubeconfig;
        psi.Environment["HOME"] = _home;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("kubectl did not start");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish in time");
        }

        var err = await stderr;
        Xunit.Assert.True(p.ExitCode == 0, $"kubectl {string.Join(' ', args)} exited {p.ExitCode}: {err}");
        return (await stdout).Trim();
    }
}
