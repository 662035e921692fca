using System.ComponentModel;
using System.Diagnostics;

namespace Skiff.Proxy.Nftables;

/// <summary>
/// <see cref="INftables"/> through the <c>nft</c> binary: one <c>nft -f -</c> process per transaction, the script on
/// its stdin, so a sync is one atomic netlink batch however many rules it holds.
/// </summary>
public sealed class NftCommand(string path = "nft") : INftables
{
    /// <summary>True when <c>nft</c> is on the PATH (or at <c>/usr/sbin/nft</c>).</summary>
    public static bool IsAvailable() =>
        File.Exists("/usr/sbin/nft") || (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "nft")));

    /// <inheritdoc/>
    public async Task ApplyAsync(string script, CancellationToken ct)
    {
        var (code, _, error) = await RunAsync(["-f", "-"], script, ct).ConfigureAwait(false);
        if (code != 0)
        {
            throw new NftablesException($"nft -f failed ({code}): {error.Trim()}");
        }
    }

    /// <summary>Runs nft with <paramref name="args"/> (e.g. <c>list table ip kube-proxy</c>); returns exit code, stdout, stderr.</summary>
    public async Task<(int Code, string Output, string Error)> RunAsync(IReadOnlyList<string> args, string? input, CancellationToken ct)
    {
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

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new NftablesException("cannot start nft");
        }
        catch (Win32Exception e)
        {
            throw new NftablesException($"cannot start nft: {e.Message}", e);
        }

        using (process)
        {
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
}
