using System.Diagnostics;

namespace Skiff.Testing.ControlPlane;

/// <summary>The real kubectl (/usr/bin/kubectl) against a kubeconfig, with its own cache directory.</summary>
public sealed class Kubectl(string kubeconfig)
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "skiff-kubectl-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>Runs kubectl with <paramref name="args"/>; returns its exit code and output. Kills it after the timeout.</summary>
    public async Task<(int Exit, string Out, string Err)> RunAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        CancellationToken ct = default)
    {
        var psi = new ProcessStartInfo("/usr/bin/kubectl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(Path.Combine(_home, "cache"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["KUBECONFIG"] = kubeconfig;
        psi.Environment["HOME"] = _home;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("kubectl did not start");
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin.AsMemory(), ct);
            p.StandardInput.Close();
        }

        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', args)} did not finish in time");
        }

        return (p.ExitCode, (await stdout).Trim(), (await stderr).Trim());
    }

    /// <summary>Runs kubectl and asserts it succeeded (its stderr is the failure message); returns stdout.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var (exit, output, err) = await RunAsync(args);
        Xunit.Assert.True(exit == 0, $"kubectl {string.Join(' ', args)} exited {exit}: {err}");
        return output;
    }
}
