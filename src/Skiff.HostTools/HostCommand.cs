using System.Diagnostics;

namespace Skiff.HostTools;

/// <summary>
/// Runs a host binary the way the node components do (kube-proxy's and the kubelet's <c>nft</c>, the kubelet's
/// <c>ctr</c>): arguments passed as a list (no shell), an optional script on stdin, and the exit code with everything
/// written to stdout and stderr.
/// </summary>
public static class HostCommand
{
    /// <summary>
    /// Runs <paramref name="path"/> with <paramref name="args"/>, <paramref name="input"/> on its stdin (closed at once
    /// when null), and waits for it to exit.
    /// </summary>
    /// <returns>The exit code and everything it wrote to stdout and stderr.</returns>
    /// <exception cref="System.ComponentModel.Win32Exception">The binary cannot be started (absent, not executable).</exception>
    public static async Task<(int Code, string Output, string Error)> RunAsync(string path, IReadOnlyList<string> args, string? input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + path);
        var output = process.StandardOutput.ReadToEndAsync(ct);
        var error = process.StandardError.ReadToEndAsync(ct);
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input.AsMemory(), ct).ConfigureAwait(false);
        }

        process.StandardInput.Close();
        await process.WaitForExitAsync(ct).ConfigureAwait(false);
        return (process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
    }
}
