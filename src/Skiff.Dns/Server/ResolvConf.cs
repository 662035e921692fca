using System.Net;

namespace Skiff.Dns.Server;

/// <summary>The node's resolver configuration: the upstreams the cluster DNS forwards to.</summary>
public static class ResolvConf
{
    /// <summary>
    /// The <c>nameserver</c> addresses of the resolv.conf text <paramref name="text"/> on port 53, in order, without
    /// any in <paramref name="exclude"/> (the cluster DNS's own addresses: forwarding to itself would loop).
    /// </summary>
    public static IReadOnlyList<IPEndPoint> Nameservers(string text, IReadOnlyCollection<IPAddress>? exclude = null)
    {
        var result = new List<IPEndPoint>();
        foreach (var line in text.Split('\n'))
        {
            var f = line.Split((char[])[' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            if (f.Length >= 2 && f[0] == "nameserver" && IPAddress.TryParse(f[1].Split('%')[0], out var ip) && exclude?.Contains(ip) != true)
            {
                result.Add(new IPEndPoint(ip, 53));
            }
        }

        return result;
    }

    /// <summary>The nameservers of the file at <paramref name="path"/>; none when it cannot be read.</summary>
    public static IReadOnlyList<IPEndPoint> Load(string path, IReadOnlyCollection<IPAddress>? exclude = null)
    {
        try
        {
            return Nameservers(File.ReadAllText(path), exclude);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
