using System.Globalization;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Skiff.Kubelet.Node;

/// <summary>What the node measures about its host: CPUs, memory, the data dir's filesystem, the default route's address, kernel and OS.</summary>
public static class HostFacts
{
    /// <summary>MemTotal of /proc/meminfo in bytes (0 when unreadable).</summary>
    public static long MemoryBytes() => MemInfo("MemTotal:");

    /// <summary>MemAvailable of /proc/meminfo in bytes.</summary>
    public static long AvailableMemoryBytes() => MemInfo("MemAvailable:");

    private static long MemInfo(string key)
    {
        try
        {
            var line = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
            var f = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return f is { Length: >= 2 } ? long.Parse(f[1], CultureInfo.InvariantCulture) * 1024 : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>Total and available bytes of the filesystem holding <paramref name="path"/>.</summary>
    public static (long Total, long Available) Filesystem(string path)
    {
        Directory.CreateDirectory(path);
        var d = new DriveInfo(path);
        return (d.TotalSize, d.AvailableFreeSpace);
    }

    /// <summary>The IPv4 address of the default route's interface (loopback when there is none).</summary>
    public static string InternalIp()
    {
        string? iface = null;
        try
        {
            foreach (var line in File.ReadLines("/proc/net/route").Skip(1))
            {
                var f = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 2 && f[1] == "00000000")
                {
                    iface = f[0];
                    break;
                }
            }
        }
        catch (IOException)
        {
            // No procfs route table.
        }

        var nics = NetworkInterface.GetAllNetworkInterfaces();
        var nic = nics.FirstOrDefault(n => n.Name == iface) ?? nics.FirstOrDefault(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback);
        var addr = nic?.GetIPProperties().UnicastAddresses.FirstOrDefault(a => a.Address.AddressFamily == AddressFamily.InterNetwork)?.Address;
        return addr?.ToString() ?? "127.0.0.1";
    }

    public static string KernelVersion() => ReadTrim("/proc/sys/kernel/osrelease") ?? Environment.OSVersion.Version.ToString();

    /// <summary>PRETTY_NAME of /etc/os-release.</summary>
    public static string OsImage()
    {
        try
        {
            var line = File.ReadLines("/etc/os-release").FirstOrDefault(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal));
            return line is null ? "Linux" : line["PRETTY_NAME=".Length..].Trim('"');
        }
        catch (IOException)
        {
            return "Linux";
        }
    }

    public static string MachineId() => ReadTrim("/etc/machine-id") ?? Environment.MachineName;

    public static string BootId() => ReadTrim("/proc/sys/kernel/random/boot_id") ?? "";

    /// <summary>The default node name: the hostname, lowercased.</summary>
    public static string DefaultNodeName() => Environment.MachineName.ToLowerInvariant();

    private static string? ReadTrim(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllText(path).Trim() : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
