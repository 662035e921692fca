using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Skiff.Proxy.NetworkPolicy;

/// <summary>
/// A set of IPv4 addresses as sorted, disjoint, non-adjacent closed intervals: what an nftables interval set holds
/// without <c>auto-merge</c>. An <c>ipBlock</c> is its CIDR minus its exceptions; pod IPs are one-address intervals.
/// </summary>
public sealed class Ipv4Ranges
{
    private readonly List<(uint First, uint Last)> _ranges = [];

    /// <summary>True when the set holds no address.</summary>
    public bool IsEmpty => _ranges.Count == 0;

    /// <summary>The intervals, sorted and merged.</summary>
    public IReadOnlyList<(uint First, uint Last)> Ranges => _ranges;

    /// <summary>Parses an IPv4 CIDR (<c>10.0.0.0/8</c>) into its first and last address; false for IPv6 or bad text.</summary>
    public static bool TryParseCidr(string? cidr, out uint first, out uint last)
    {
        first = last = 0;
        if (cidr is null || !IPNetwork.TryParse(cidr, out var net) && !TryParseHostBits(cidr, out net))
        {
            return false;
        }

        if (net.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var mask = net.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - net.PrefixLength);
        first = ToUInt(net.BaseAddress) & mask;
        last = first | ~mask;
        return true;
    }

    /// <summary>The address as a big-endian number.</summary>
    public static uint ToUInt(IPAddress address)
    {
        var b = address.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }

    /// <summary>Dotted-quad text of a number.</summary>
    public static string ToText(uint value) =>
        string.Create(CultureInfo.InvariantCulture, $"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}");

    /// <summary>Adds one address (ignored unless IPv4).</summary>
    public void AddAddress(string ip)
    {
        if (IPAddress.TryParse(ip, out var a) && a.AddressFamily == AddressFamily.InterNetwork)
        {
            Add(ToUInt(a), ToUInt(a));
        }
    }

    /// <summary>Adds <paramref name="cidr"/> minus every CIDR of <paramref name="except"/> (IPv6 ignored).</summary>
    public void AddBlock(string cidr, IEnumerable<string>? except)
    {
        if (!TryParseCidr(cidr, out var first, out var last))
        {
            return;
        }

        var holes = new List<(uint, uint)>();
        foreach (var e in except ?? [])
        {
            if (TryParseCidr(e, out var f, out var l))
            {
                holes.Add((f, l));
            }
        }

        holes.Sort();
        ulong next = first;
        foreach (var (f, l) in holes)
        {
            if (l < next || f > last)
            {
                continue;
            }

            if (f > next)
            {
                Add((uint)next, f - 1);
            }

            next = (ulong)l + 1;
        }

        if (next <= last)
        {
            Add((uint)next, last);
        }
    }

    /// <summary>Adds every address of <paramref name="other"/>.</summary>
    public void AddAll(Ipv4Ranges other)
    {
        foreach (var (f, l) in other._ranges)
        {
            Add(f, l);
        }
    }

    /// <summary>Whether <paramref name="value"/> is in the set.</summary>
    public bool Contains(uint value) => _ranges.Exists(r => r.First <= value && value <= r.Last);

    /// <summary>The nft set elements: <c>10.0.0.1, 10.1.0.0/16, 10.2.0.0-10.2.0.9</c> (CIDRs where a range is one).</summary>
    public IEnumerable<string> Elements()
    {
        foreach (var (f, l) in _ranges)
        {
            if (f == l)
            {
                yield return ToText(f);
                continue;
            }

            var size = (ulong)l - f + 1;
            if ((size & (size - 1)) == 0 && (f & (uint)(size - 1)) == 0)
            {
                yield return ToText(f) + "/" + (32 - BitLength(size - 1)).ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                yield return ToText(f) + "-" + ToText(l);
            }
        }
    }

    private static int BitLength(ulong v)
    {
        var n = 0;
        while (v > 0)
        {
            n++;
            v >>= 1;
        }

        return n;
    }

    // Go's net.ParseCIDR accepts host bits (10.0.0.5/24); .NET's IPNetwork.TryParse does not.
    private static bool TryParseHostBits(string cidr, out IPNetwork net)
    {
        net = default;
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(cidr.AsSpan(0, slash), out var a) || a.AddressFamily != AddressFamily.InterNetwork
            || !int.TryParse(cidr.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var bits) || bits > 32)
        {
            return false;
        }

        var mask = bits == 0 ? 0u : uint.MaxValue << (32 - bits);
        var masked = ToUInt(a) & mask;
        net = new IPNetwork(new IPAddress([(byte)(masked >> 24), (byte)(masked >> 16), (byte)(masked >> 8), (byte)masked]), bits);
        return true;
    }

    private void Add(uint first, uint last)
    {
        // Insert and merge overlapping or adjacent intervals.
        var f = first;
        var l = last;
        var i = 0;
        while (i < _ranges.Count && (ulong)_ranges[i].Last + 1 < f)
        {
            i++;
        }

        while (i < _ranges.Count && _ranges[i].First <= (ulong)l + 1)
        {
            f = Math.Min(f, _ranges[i].First);
            l = Math.Max(l, _ranges[i].Last);
            _ranges.RemoveAt(i);
        }

        _ranges.Insert(i, (f, l));
    }
}
