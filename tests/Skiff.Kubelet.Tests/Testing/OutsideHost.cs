using System.Diagnostics;
using Skiff.HostTools;

namespace Skiff.Kubelet.Tests.Testing;

/// <summary>
/// A host "outside" the node: a network namespace joined to the node by a veth pair on a /30 of its own, serving
/// <c>http://IP:8080/cgi-bin/addr</c> (busybox httpd), which answers with the address the request came from. A pod that
/// fetches it learns whether its egress was masqueraded (the node's <see cref="NodeSideIp"/>) or not (the pod IP).
/// Dispose kills the server and removes the namespace and the link.
/// </summary>
public sealed class OutsideHost : IAsyncDisposable
{
    private readonly string _name;
    private readonly string _dir;
    private Process? _httpd;

    private OutsideHost(string name, string nodeSideIp, string ip)
    {
        _name = name;
        NodeSideIp = nodeSideIp;
        Ip = ip;
        _dir = Path.Combine("/tmp", name);
    }

    /// <summary>The outside host's address.</summary>
    public string Ip { get; }

    /// <summary>The node's address on the link to it.</summary>
    public string NodeSideIp { get; }

    /// <summary>The URL that answers with the caller's address.</summary>
    public string Url => $"http://{Ip}:8080/cgi-bin/addr";

    public static async Task<OutsideHost> StartAsync()
    {
        var r = Random.Shared.Next(0, 64 * 64);
        var (third, last) = (r / 64, r % 64 * 4);
        var host = new OutsideHost("sko" + Guid.NewGuid().ToString("N")[..6], $"172.29.{third}.{last + 1}", $"172.29.{third}.{last + 2}");
        try
        {
            await host.SetUpAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    private async Task SetUpAsync()
    {
        await RunAsync("ip", "netns", "add", _name);
        await RunAsync("ip", "link", "add", _name, "type", "veth", "peer", "name", "eth0", "netns", _name);
        await RunAsync("ip", "addr", "add", NodeSideIp + "/30", "dev", _name);
        await RunAsync("ip", "link", "set", _name, "up");
        await RunAsync("ip", "netns", "exec", _name, "ip", "addr", "add", Ip + "/30", "dev", "eth0");
        await RunAsync("ip", "netns", "exec", _name, "ip", "link", "set", "eth0", "up");
        await RunAsync("ip", "netns", "exec", _name, "ip", "link", "set", "lo", "up");
        // Replies to an address that was not masqueraded go back through the node too (so the test sees the pod IP).
        await RunAsync("ip", "netns", "exec", _name, "ip", "route", "add", "default", "via", NodeSideIp);
        Directory.CreateDirectory(Path.Combine(_dir, "cgi-bin"));
        var script = Path.Combine(_dir, "cgi-bin", "addr");
        await File.WriteAllTextAsync(script, "#!/bin/busybox sh\necho 'Content-Type: text/plain'\necho\necho \"$REMOTE_ADDR\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, (UnixFileMode)0b111_101_101);
        }
        var psi = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "netns", "exec", _name, "/bin/busybox", "httpd", "-f", "-p", Ip + ":8080", "-h", _dir })
        {
            psi.ArgumentList.Add(a);
        }

        _httpd = Process.Start(psi) ?? throw new InvalidOperationException("cannot start busybox httpd");
    }

    public async ValueTask DisposeAsync()
    {
        if (_httpd is { HasExited: false })
        {
            _httpd.Kill(entireProcessTree: true);
            await _httpd.WaitForExitAsync();
        }

        _httpd?.Dispose();
        await TryRunAsync("ip", "link", "del", _name);
        await TryRunAsync("ip", "netns", "del", _name);
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }

    private static async Task RunAsync(params string[] args)
    {
        var (code, error) = await TryRunAsync(args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', args)} failed ({code}): {error}");
        }
    }

    private static async Task<(int Code, string Error)> TryRunAsync(params string[] args)
    {
        var (code, _, error) = await HostCommand.RunAsync(args[0], args[1..], null, CancellationToken.None);
        return (code, error.Trim());
    }
}
