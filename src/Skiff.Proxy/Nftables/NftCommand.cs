using System.ComponentModel;
using Skiff.HostTools;

namespace Skiff.Proxy.Nftables;

/// <summary>
/// <see cref="INftables"/> through the <c>nft</c> binary (<see cref="HostCommand"/>): one <c>nft -f -</c> process per
/// transaction, the script on its stdin, so a sync is one atomic netlink batch however many rules it holds.
/// </summary>
public sealed class NftCommand(string path = "nft") : INftables
{
    /// <summary>True when <c>nft</c> is on the PATH (or at <c>/usr/sbin/nft</c>).</summary>
    public static bool IsAvailable() => Nft.IsAvailable();

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
    /// <exception cref="NftablesException">nft cannot be started.</exception>
    public async Task<(int Code, string Output, string Error)> RunAsync(IReadOnlyList<string> args, string? input, CancellationToken ct)
    {
        try
        {
            return await HostCommand.RunAsync(path, args, input, ct).ConfigureAwait(false);
        }
        catch (Win32Exception e)
        {
            throw new NftablesException($"cannot start nft: {e.Message}", e);
        }
    }
}
