using System.Net;

namespace Skiff.Kubelet.Hollow;

/// <summary>
/// One hollow node's state, kept small (a few hundred bytes): its name, uid, IP, pod CIDR with a bitmap of allocated pod
/// IPs, its Lease's resourceVersion and when its status was last posted.
/// </summary>
public sealed class HollowNode
{
    private readonly ulong[] _used = new ulong[4];

    internal HollowNode(string name, int index)
    {
        Name = name;
        Index = index;

        // Node i: InternalIP 172.16.0.0/12 + i + 2, pod CIDR 10.(64 + i / 256).(i % 256).0/24.
        var ip = (172u << 24) | (16u << 16);
        ip += (uint)index + 2;
        InternalIP = Format(ip);
        CidrBase = (10u << 24) | ((64u + ((uint)index / 256)) << 16) | (((uint)index % 256) << 8);
    }

    public string Name { get; }

    public int Index { get; }

    public string? Uid { get; internal set; }

    public string InternalIP { get; }

    /// <summary>The node's pod CIDR (a /24).</summary>
    public string PodCidr => Format(CidrBase) + "/24";

    /// <summary>True while the node neither renews its Lease nor posts status (see <see cref="HollowNodeSet.StopHeartbeat"/>).</summary>
    public bool HeartbeatStopped { get; internal set; }

    /// <summary>True while the Node carries <see cref="HollowNodeSet.StopHeartbeatAnnotation"/>=<c>"true"</c>.</summary>
    public bool AnnotationStopped { get; internal set; }

    /// <summary>True when the node neither renews its Lease nor posts status.</summary>
    public bool Silent => HeartbeatStopped || AnnotationStopped;

    internal uint CidrBase { get; set; }

    /// <summary>The node's own identity over the set's connections (<see cref="HollowNodeOptions.NodeToken"/>), or null to write as the set.</summary>
    internal Skiff.Client.Typed.Clientset? Client { get; set; }

    internal string? LeaseResourceVersion { get; set; }

    internal DateTimeOffset LastStatusPost { get; set; }

    internal int PodCount;

    /// <summary>Takes a free pod IP (.2 to .254) from the CIDR; null when it is exhausted.</summary>
    internal string? AllocateIP()
    {
        lock (_used)
        {
            for (var i = 2; i < 255; i++)
            {
                if ((_used[i / 64] & (1UL << (i % 64))) == 0)
                {
                    _used[i / 64] |= 1UL << (i % 64);
                    return Format(CidrBase + (uint)i);
                }
            }

            return null;
        }
    }

    /// <summary>Marks <paramref name="ip"/> used if it lies in the CIDR (a pod that already had it); false otherwise.</summary>
    internal bool Claim(string ip) => Mark(ip, true);

    internal void Release(string ip) => Mark(ip, false);

    private bool Mark(string ip, bool used)
    {
        if (!IPAddress.TryParse(ip, out var a) || a.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return false;
        }

        var b = a.GetAddressBytes();
        var v = ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
        if ((v & 0xFFFFFF00u) != CidrBase)
        {
            return false;
        }

        var i = (int)(v & 0xFF);
        lock (_used)
        {
            if (used)
            {
                _used[i / 64] |= 1UL << (i % 64);
            }
            else
            {
                _used[i / 64] &= ~(1UL << (i % 64));
            }
        }

        return true;
    }

    internal static string Format(uint ip) => $"{ip >> 24}.{(ip >> 16) & 0xFF}.{(ip >> 8) & 0xFF}.{ip & 0xFF}";
}
