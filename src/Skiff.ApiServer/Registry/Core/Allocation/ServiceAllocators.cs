using System.Net;
using Skiff.Api.Errors;
using Skiff.Storage;

namespace Skiff.ApiServer.Registry.Core.Allocation;

/// <summary>
/// The cluster-IP and node-port allocators of one API server (upstream <c>ipallocator</c> and
/// <c>portallocator</c> over bitmaps in storage). Cluster IPs come from an IPv4 CIDR without its network and
/// broadcast addresses; the first usable address (10.0.0.1 for 10.0.0.0/24) is never picked at random: it is kept
/// for the <c>kubernetes</c> service, which asks for it explicitly.
/// </summary>
public sealed class ServiceAllocators
{
    /// <summary>Storage key of the cluster-IP bitmap (upstream's key).</summary>
    public const string ServiceIpsKey = "/registry/ranges/serviceips";

    /// <summary>Storage key of the node-port bitmap (upstream's key).</summary>
    public const string NodePortsKey = "/registry/ranges/servicenodeports";

    private readonly uint _firstAddress;

    /// <summary>Creates the allocators for a service CIDR and a node-port range.</summary>
    public ServiceAllocators(string serviceCidr, int nodePortBase, int nodePortSize)
    {
        var slash = serviceCidr.IndexOf('/');
        if (slash < 0 || !IPAddress.TryParse(serviceCidr[..slash], out var network) || network.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork ||
            !int.TryParse(serviceCidr[(slash + 1)..], out var prefix) || prefix is < 8 or > 30)
        {
            throw new ArgumentException($"service CIDR {serviceCidr} must be an IPv4 CIDR with a prefix between /8 and /30", nameof(serviceCidr));
        }

        var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
        var baseAddress = ToUInt(network) & mask;
        _firstAddress = baseAddress + 1;
        var size = (int)Math.Min((1L << (32 - prefix)) - 2, 1 << 20);
        ServiceCidr = $"{ToAddress(baseAddress)}/{prefix}";
        Ips = new RangeAllocator(ServiceIpsKey, ServiceCidr, size, reservedForStatic: 1);
        NodePortBase = nodePortBase;
        NodePortSize = nodePortSize;
        Ports = new RangeAllocator(NodePortsKey, $"{nodePortBase}-{nodePortBase + nodePortSize - 1}", nodePortSize);
    }

    /// <summary>The normalised service CIDR.</summary>
    public string ServiceCidr { get; }

    /// <summary>The first node port.</summary>
    public int NodePortBase { get; }

    /// <summary>How many node ports there are.</summary>
    public int NodePortSize { get; }

    /// <summary>The cluster-IP bitmap.</summary>
    public RangeAllocator Ips { get; }

    /// <summary>The node-port bitmap.</summary>
    public RangeAllocator Ports { get; }

    /// <summary>The address reserved for the <c>kubernetes</c> service (first usable address).</summary>
    public string KubernetesServiceIp => ToAddress(_firstAddress);

    /// <summary>Allocates <paramref name="requested"/> (or a random address when null) and returns it.</summary>
    /// <exception cref="AllocationException">Taken, out of range or full.</exception>
    public async Task<string> AllocateIpAsync(IStorage storage, string? requested, bool dryRun, CancellationToken ct)
    {
        int? offset = null;
        if (requested is not null)
        {
            offset = IpOffset(requested) ?? throw new AllocationException(AllocationFailure.NotInRange,
                $"the provided IP ({requested}) is not in the valid range. The range of valid IPs is {ServiceCidr}");
        }

        try
        {
            var o = await Ips.AllocateAsync(storage, offset, dryRun, ct).ConfigureAwait(false);
            return ToAddress(_firstAddress + (uint)o);
        }
        catch (AllocationException e) when (e.Failure == AllocationFailure.Allocated)
        {
            throw new AllocationException(AllocationFailure.Allocated, "provided IP is already allocated");
        }
    }

    /// <summary>Releases an address (no-op when it is not in the range).</summary>
    public Task ReleaseIpAsync(IStorage storage, string ip, CancellationToken ct) =>
        IpOffset(ip) is { } o ? Ips.ReleaseAsync(storage, o, ct) : Task.CompletedTask;

    /// <summary>Allocates <paramref name="requested"/> (or a random port when null) and returns it.</summary>
    /// <exception cref="AllocationException">Taken, out of range or full.</exception>
    public async Task<int> AllocatePortAsync(IStorage storage, int? requested, bool dryRun, CancellationToken ct)
    {
        if (requested is { } r && (r < NodePortBase || r >= NodePortBase + NodePortSize))
        {
            throw new AllocationException(AllocationFailure.NotInRange,
                $"provided port is not in the valid range. The range of valid ports is {NodePortBase}-{NodePortBase + NodePortSize - 1}");
        }

        try
        {
            return NodePortBase + await Ports.AllocateAsync(storage, requested - NodePortBase, dryRun, ct).ConfigureAwait(false);
        }
        catch (AllocationException e) when (e.Failure == AllocationFailure.Allocated)
        {
            throw new AllocationException(AllocationFailure.Allocated, "provided port is already allocated");
        }
    }

    /// <summary>Releases a node port (no-op when out of range).</summary>
    public Task ReleasePortAsync(IStorage storage, int port, CancellationToken ct) => Ports.ReleaseAsync(storage, port - NodePortBase, ct);

    /// <summary>upstream's 500 for an exhausted range: <c>failed to allocate a serviceIP: range is full</c>.</summary>
    public static StatusException Full(string what) =>
        new(500, "InternalError", $"Internal error occurred: failed to allocate a {what}: range is full",
            new StatusDetails(Causes: [new StatusCause("", $"failed to allocate a {what}: range is full")]));

    private int? IpOffset(string ip)
    {
        if (!IPAddress.TryParse(ip, out var address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return null;
        }

        var value = ToUInt(address);
        if (value < _firstAddress)
        {
            return null;
        }

        var offset = value - _firstAddress;
        return offset < (uint)Ips.Size ? (int)offset : null;
    }

    private static uint ToUInt(IPAddress a)
    {
        var b = a.GetAddressBytes();
        return ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8) | b[3];
    }

    private static string ToAddress(uint v) => $"{v >> 24}.{(v >> 16) & 255}.{(v >> 8) & 255}.{v & 255}";
}
