namespace Skiff.Testing.ControlPlane;

/// <summary>The real kubectl (/usr/bin/kubectl) against a kubeconfig, with its own cache directory (<see cref="Skiff.Testing.Kubectl"/> with xunit assertions).</summary>
public sealed class Kubectl(string kubeconfig)
{
    private readonly Skiff.Testing.Kubectl _inner = new(kubeconfig);

    /// <summary>Runs kubectl with <paramref name="args"/>; returns its exit code and output. Kills it after the timeout.</summary>
    public Task<(int Exit, string Out, string Err)> RunAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        CancellationToken ct = default) => _inner.RunAsync(args, stdin, timeout, ct);

    /// <summary>Runs kubectl and asserts it succeeded (its stderr is the failure message); returns stdout.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var (exit, output, err) = await RunAsync(args);
        Xunit.Assert.True(exit == 0, $"kubectl {string.Join(' ', args)} exited {exit}: {err}");
        return output;
    }
}
