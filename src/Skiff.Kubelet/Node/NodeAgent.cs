using System.Globalization;
using Grpc.Core;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Events;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Skiff.Cri;
using Skiff.Cri.V1;
using Skiff.Kubelet.Events;
using Skiff.Kubelet.Pods;
using Skiff.Kubelet.Status;

namespace Skiff.Kubelet.Node;

/// <summary>
/// The node side of the real kubelet: registers the Node (measured capacity, allocatable, addresses, nodeInfo with the
/// runtime's <c>containerd://VERSION</c>, daemonEndpoints, pod CIDR), then renews its Lease in <c>kube-node-lease</c> and
/// posts status (Ready from the runtime's RuntimeReady and NetworkReady conditions; memory/disk pressure measured) through
/// the shared <see cref="NodeStatusBuilder"/>.
/// </summary>
public sealed partial class NodeAgent(Clientset client, CriConnection cri, KubeletOptions options, ILogger logger) : IAsyncDisposable
{
    private const string LeaseNamespace = "kube-node-lease";
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private string? _uid;
    private string _runtimeVersion = "containerd://unknown";

    /// <summary>The node's pod CIDR (its spec's, or <see cref="KubeletOptions.PodCidr"/> set at registration).</summary>
    public string PodCidr { get; private set; } = options.PodCidr;

    /// <summary>Records the node's events (<c>Starting</c>, and NodeReady, NodeHasSufficientMemory... when a condition changes); none when null.</summary>
    public EventRecorder? Events { get; init; }

    /// <summary>The node's InternalIP.</summary>
    public string InternalIp { get; } = HostFacts.InternalIp();

    /// <summary>The addresses the node reports (InternalIP, then Hostname), as its serving certificate's SANs.</summary>
    public IReadOnlyList<V1NodeAddress> Addresses =>
        [new V1NodeAddress { Type = "InternalIP", Address = InternalIp }, new V1NodeAddress { Type = "Hostname", Address = options.NodeName }];

    /// <summary>Registers (or takes over) the Node and its Lease; then starts the heartbeat loop.</summary>
    public async Task StartAsync(CancellationToken ct)
    {
        var version = await cri.Runtime.VersionAsync(new VersionRequest { Version = "v1" }, cancellationToken: ct).ConfigureAwait(false);
        _runtimeVersion = version.RuntimeName + "://" + version.RuntimeVersion;
        var nodes = client.CoreV1().Nodes();
        var runtime = await MeasureAsync(ct).ConfigureAwait(false);
        var now = options.TimeProvider.GetUtcNow();
        V1Node node;
        var created = false;
        try
        {
            node = await nodes.CreateAsync(new V1Node
            {
                Metadata = new V1ObjectMeta
                {
                    Name = options.NodeName,
                    Labels = new Dictionary<string, string>
                    {
                        ["kubernetes.io/hostname"] = options.NodeName,
                        ["kubernetes.io/os"] = "linux",
                        ["kubernetes.io/arch"] = "amd64",
                        ["beta.kubernetes.io/os"] = "linux",
                        ["beta.kubernetes.io/arch"] = "amd64",
                    },
                    Annotations = new Dictionary<string, string> { ["node.alpha.kubernetes.io/ttl"] = "0" },
                },
                Spec = new V1NodeSpec { PodCIDR = options.PodCidr, PodCIDRs = [options.PodCidr] },
                Status = NodeStatusBuilder.Build(runtime, null, now),
            }, ct: ct).ConfigureAwait(false);
            created = true;
        }
        catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
        {
            node = await nodes.GetAsync(options.NodeName, ct: ct).ConfigureAwait(false);
            if (node.Spec?.PodCIDR is not { Length: > 0 })
            {
                node = await nodes.PatchAsync(options.NodeName, PatchType.Merge,
                    new Dictionary<string, object> { ["spec"] = new Dictionary<string, object> { ["podCIDR"] = options.PodCidr, ["podCIDRs"] = new[] { options.PodCidr } } }, ct: ct).ConfigureAwait(false);
            }
        }

        new KubeletEvents(Events).KubeletStarting(options.NodeName);
        if (created)
        {
            RecordTransitions(null, node.Status?.Conditions);
        }

        _uid = node.Metadata.Uid;
        PodCidr = node.Spec?.PodCIDR is { Length: > 0 } cidr ? cidr : options.PodCidr;
        await PostStatusAsync(ct).ConfigureAwait(false);
        await RenewLeaseAsync(ct).ConfigureAwait(false);
        _loop = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }

    private async Task LoopAsync(CancellationToken ct)
    {
        var period = options.LeaseRenewInterval < options.NodeStatusUpdateFrequency ? options.LeaseRenewInterval : options.NodeStatusUpdateFrequency;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, options.TimeProvider, ct).ConfigureAwait(false);
                await RenewLeaseAsync(ct).ConfigureAwait(false);
                await PostStatusAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is KubernetesApiException or HttpRequestException or RpcException)
            {
                LogFailed(logger, options.NodeName, e.Message);
            }
        }
    }

    private async Task PostStatusAsync(CancellationToken ct)
    {
        var nodes = client.CoreV1().Nodes();
        var current = await nodes.GetAsync(options.NodeName, ct: ct).ConfigureAwait(false);
        var status = NodeStatusBuilder.Build(await MeasureAsync(ct).ConfigureAwait(false), current.Status, options.TimeProvider.GetUtcNow());
        await nodes.PatchAsync(options.NodeName, PatchType.Merge, new Dictionary<string, object> { ["status"] = status }, subresource: "status", ct: ct).ConfigureAwait(false);
        RecordTransitions(current.Status?.Conditions, status.Conditions);
    }

    /// <summary>Upstream's node status setters: an event for each condition that is new or changed its status.</summary>
    private void RecordTransitions(IList<V1NodeCondition>? before, IList<V1NodeCondition>? after)
    {
        var events = new KubeletEvents(Events);
        foreach (var c in after ?? [])
        {
            var old = before?.FirstOrDefault(b => b.Type == c.Type);
            if ((old is null || old.Status != c.Status) && KubeletEvents.NodeConditionReason(c.Type, c.Status) is { } reason)
            {
                events.NodeStatus(options.NodeName, reason);
            }
        }
    }

    private async Task RenewLeaseAsync(CancellationToken ct)
    {
        var leases = client.CoordinationV1().Leases(LeaseNamespace);
        var lease = new V1Lease
        {
            ApiVersion = "coordination.k8s.io/v1",
            Kind = "Lease",
            Metadata = new V1ObjectMeta
            {
                Name = options.NodeName,
                NamespaceProperty = LeaseNamespace,
                OwnerReferences = _uid is null ? null : [new V1OwnerReference { ApiVersion = "v1", Kind = "Node", Name = options.NodeName, Uid = _uid }],
            },
            Spec = new V1LeaseSpec { HolderIdentity = options.NodeName, LeaseDurationSeconds = 40, RenewTime = options.TimeProvider.GetUtcNow().UtcDateTime },
        };
        try
        {
            var existing = await leases.GetAsync(options.NodeName, ct: ct).ConfigureAwait(false);
            lease.Metadata.ResourceVersion = existing.Metadata.ResourceVersion;
            await leases.UpdateAsync(lease, ct: ct).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
            await leases.CreateAsync(lease, ct: ct).ConfigureAwait(false);
        }
    }

    /// <summary>The node as measured now.</summary>
    private async Task<NodeRuntimeStatus> MeasureAsync(CancellationToken ct)
    {
        var errors = new List<string>();
        try
        {
            var s = await cri.Runtime.StatusAsync(new StatusRequest(), cancellationToken: ct).ConfigureAwait(false);
            foreach (var c in s.Status.Conditions.Where(c => c.Type is "RuntimeReady" or "NetworkReady" && !c.Status))
            {
                errors.Add($"container runtime {c.Type}=false reason:{c.Reason} message:{c.Message}");
            }
        }
        catch (RpcException e)
        {
            errors.Add("container runtime is down: " + e.Status.Detail);
        }

        var (diskTotal, diskFree) = HostFacts.Filesystem(options.RootDirectory);
        var memory = HostFacts.MemoryBytes();
        var capacity = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)),
            ["memory"] = new(memory / 1024 + "Ki"),
            ["ephemeral-storage"] = new(diskTotal / 1024 + "Ki"),
            ["pods"] = new("110"),
        };
        var allocatable = new Dictionary<string, ResourceQuantity>(capacity)
        {
            ["memory"] = AllocatableMemory(memory),
            ["ephemeral-storage"] = new((long)(diskTotal * 0.9) / 1024 + "Ki"),
        };
        return new NodeRuntimeStatus
        {
            Capacity = capacity,
            Allocatable = allocatable,
            Addresses = Addresses,
            NodeInfo = new V1NodeSystemInfo
            {
                MachineID = HostFacts.MachineId(),
                SystemUUID = HostFacts.MachineId(),
                BootID = HostFacts.BootId(),
                KernelVersion = HostFacts.KernelVersion(),
                OsImage = HostFacts.OsImage(),
                ContainerRuntimeVersion = _runtimeVersion,
                KubeletVersion = options.KubeletVersion,
                KubeProxyVersion = options.KubeletVersion,
                OperatingSystem = "linux",
                Architecture = "amd64",
            },
            KubeletPort = options.Port,
            MemoryPressure = HostFacts.AvailableMemoryBytes() is var avail && avail > 0 && avail < (100L << 20),
            DiskPressure = diskTotal > 0 && diskFree < diskTotal / 10,
            NotReadyErrors = errors,
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "node {Node}: heartbeat failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string node, string reason);

    /// <summary>The node's allocatable cpu and memory, what a container's unset limits default to in its environment
    /// (resourceFieldRef).</summary>
    public static IReadOnlyDictionary<string, ResourceQuantity> EnvAllocatable() => new Dictionary<string, ResourceQuantity>
    {
        ["cpu"] = new(Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture)),
        ["memory"] = AllocatableMemory(HostFacts.MemoryBytes()),
    };

    /// <summary>Memory less upstream's default hard eviction threshold <c>memory.available&lt;100Mi</c>.</summary>
    private static ResourceQuantity AllocatableMemory(long memory) => new(Math.Max(0, memory - (100L << 20)) / 1024 + "Ki");
}
