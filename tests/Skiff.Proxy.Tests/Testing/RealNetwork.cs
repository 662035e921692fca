using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Text;
using Skiff.Proxy.Nftables;

namespace Skiff.Proxy.Tests.Testing;

/// <summary>What real-netfilter tests need: root with nft, the host's primary IPv4 address, and tiny TCP servers.</summary>
internal static class RealNetwork
{
    /// <summary>Why real-netfilter tests cannot run here (null: they can). Run them under <c>flock /tmp/skiff-realnode.lock</c>.</summary>
    public static string? SkipReason =>
        !OperatingSystem.IsLinux() ? "needs Linux"
        : Environment.UserName != "root" ? "needs root (netfilter)"
        : !NftCommand.IsAvailable() ? "needs nft"
        : HostIp() is null ? "needs a non-loopback IPv4 address"
        : null;

    /// <summary>The first up, non-loopback, non-bridge IPv4 address.</summary>
    public static IPAddress? HostIp() => NetworkInterface.GetAllNetworkInterfaces()
        .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback && !n.Name.StartsWith("cni", StringComparison.Ordinal)
            && !n.Name.StartsWith("sk", StringComparison.Ordinal) && !n.Name.StartsWith("veth", StringComparison.Ordinal))
        .SelectMany(n => n.GetIPProperties().UnicastAddresses)
        .Select(a => a.Address)
        .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));

    /// <summary>Connects to <paramref name="ip"/>:<paramref name="port"/> and reads what the server says (it closes after).</summary>
    public static async Task<string> ReadAsync(string ip, int port, CancellationToken ct = default)
    {
        using var client = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(3));
        await client.ConnectAsync(IPAddress.Parse(ip), port, timeout.Token);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        return (await reader.ReadToEndAsync(timeout.Token)).Trim();
    }

    /// <summary>The answer, or the socket error's name (<c>ConnectionRefused</c> for a REJECT, <c>TimedOut</c> for a DROP).</summary>
    public static async Task<string> TryReadAsync(string ip, int port)
    {
        try
        {
            return await ReadAsync(ip, port);
        }
        catch (SocketException e)
        {
            return e.SocketErrorCode.ToString();
        }
        catch (OperationCanceledException)
        {
            return "TimedOut";
        }
    }

    /// <summary>Re-evaluates <paramref name="check"/> every 100 ms until it holds; fails after <paramref name="deadline"/>.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> check, TimeSpan deadline, string what, Func<Task<string>>? describe = null)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var until = DateTime.UtcNow + deadline;
        while (!await check())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException("timed out waiting for " + what + (describe is null ? "" : ": " + await describe()));
            }

            await timer.WaitForNextTickAsync();
        }
    }
}
