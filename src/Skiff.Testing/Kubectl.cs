using System.Diagnostics;

namespace Skiff.Testing;

/// <summary>
/// The real kubectl against a kubeconfig, with its own HOME and cache directory (so parallel tests do not share
/// discovery caches). The binary is <see cref="DefaultPath"/> unless another is given.
/// </summary>
public sealed class Kubectl(string kubeconfig, string? kubectlPath = null)
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "skiff-kubectl-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>
    /// The kubectl binary used by default: <c>$SKIFF_KUBECTL</c> when set, else <c>/usr/bin/kubectl</c> when it exists,
    /// else the first <c>kubectl</c> on <c>PATH</c> (null when there is none; see <see cref="IsAvailable"/>).
    /// </summary>
    public static string? DefaultPath { get; } = FindKubectl();

    /// <summary>Whether a kubectl binary was found (tests that need one can skip when it was not).</summary>
    public static bool IsAvailable => DefaultPath is not null;

    /// <summary>The kubeconfig this kubectl uses.</summary>
    public string KubeconfigPath => kubeconfig;

    /// <summary>Runs kubectl with <paramref name="args"/>; returns its exit code and trimmed output. Kills it after <paramref name="timeout"/> (default 60 s).</summary>
    /// <exception cref="TimeoutException">kubectl did not finish in time.</exception>
    public async Task<(int Exit, string Out, string Err)> RunAsync(IEnumerable<string> args, string? stdin = null, TimeSpan? timeout = null,
        CancellationToken ct = default)
    {
        var argList = args.ToList();
        var psi = new ProcessStartInfo(kubectlPath ?? DefaultPath ?? throw new InvalidOperationException("kubectl was not found (set SKIFF_KUBECTL or put it on PATH)"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(Path.Combine(_home, "cache"));
        foreach (var a in argList)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["KUBECONFIG"] = kubeconfig;
        psi.Environment["HOME"] = _home;
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("kubectl did not start");
        if (stdin is not null)
        {
            await p.StandardInput.WriteAsync(stdin.AsMemory(), ct).ConfigureAwait(false);
            p.StandardInput.Close();
        }

        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        try
        {
            await p.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', argList)} did not finish in time");
        }

        return (p.ExitCode, (await stdout.ConfigureAwait(false)).Trim(), (await stderr.ConfigureAwait(false)).Trim());
    }

    /// <summary>Runs kubectl and returns its stdout; throws <see cref="KubectlException"/> (with its stderr) when it exits non-zero.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var (exit, output, err) = await RunAsync(args).ConfigureAwait(false);
        return exit == 0 ? output : throw new KubectlException($"kubectl {string.Join(' ', args)} exited {exit}: {err}", exit, err);
    }

    private static string? FindKubectl()
    {
        if (Environment.GetEnvironmentVariable("SKIFF_KUBECTL") is { Length: > 0 } configured)
        {
            return configured;
        }

        if (File.Exists("/usr/bin/kubectl"))
        {
            return "/usr/bin/kubectl";
        }

        var name = OperatingSystem.IsWindows() ? "kubectl.exe" : "kubectl";
        return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, name))
            .FirstOrDefault(File.Exists);
    }
}
