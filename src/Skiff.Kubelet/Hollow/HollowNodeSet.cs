using System.Collections.Concurrent;
using System.Globalization;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Skiff.Kubelet.Status;

namespace Skiff.Kubelet.Hollow;

/// <summary>
/// Many hollow nodes in one process, as cheap as kwok: kubelets without containers, as kubemark's hollow nodes behave.
/// <list type="bullet">
/// <item>Each node registers a Node (capacity, allocatable, labels, taints, a /24 pod CIDR, status with conditions,
/// addresses and nodeInfo from <see cref="NodeStatusBuilder"/>) and a Lease in <c>kube-node-lease</c> owned by it.</item>
/// <item>ONE lease loop renews every node's Lease each <see cref="HollowNodeOptions.LeaseRenewInterval"/>; ONE status loop
/// posts node status when it changed or every <see cref="HollowNodeOptions.NodeStatusReportFrequency"/>.</item>
/// <item>ONE pod informer (field selector <c>spec.nodeName!=</c>, filtered by the node set) and ONE node informer
/// (label <see cref="HollowNodeLabel"/>) serve all nodes. Pods bound to a node go through the phases and conditions
/// computed by <see cref="PodStatusBuilder"/> from a <see cref="HollowTimeline"/> driven by the pod's
/// <see cref="HollowBehaviour"/> annotations; ONE timer queue wakes each pod only when its status changes.</item>
/// <item>A pod being deleted is removed once its containers have stopped (its <c>shutdown-delay</c>, capped by the grace
/// period) with a DELETE of grace period 0 and a uid precondition, as a kubelet's status manager does.</item>
/// <item>A node stops heartbeating (no Lease renewal, no status) after <see cref="StopHeartbeat"/> or while it carries the
/// annotation <see cref="StopHeartbeatAnnotation"/>=<c>"true"</c>.</item>
/// </list>
/// Every timer runs on <see cref="HollowNodeOptions.TimeProvider"/>. Dispose stops the loops and informers (the Nodes
/// and Leases stay, as a stopped kubelet leaves them).
/// </summary>
public sealed partial class HollowNodeSet : IAsyncDisposable
{
    /// <summary>The label every hollow node carries (value <c>"true"</c>).</summary>
    public const string HollowNodeLabel = "hollow.skiff.dev/node";

    /// <summary>The node annotation that stops the node's heartbeat while <c>"true"</c>.</summary>
    public const string StopHeartbeatAnnotation = "hollow.skiff.dev/stop-heartbeat";

    /// <summary>The namespace of node Leases.</summary>
    public const string LeaseNamespace = "kube-node-lease";

    private readonly Clientset _client;
    private readonly HollowNodeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, HollowNode> _nodes = new(StringComparer.Ordinal);
    private readonly List<HollowNode> _ordered = [];
    private readonly ConcurrentDictionary<string, HollowPod> _pods = new(StringComparer.Ordinal);
    private readonly HollowTimeline _timeline;
    private readonly CancellationTokenSource _stop = new();
    private readonly Dictionary<string, ResourceQuantity> _capacity;
    private readonly Dictionary<string, ResourceQuantity> _allocatable;
    private SharedInformerFactory? _podFactory;
    private SharedInformerFactory? _nodeFactory;
    private SharedIndexInformer<V1Pod>? _podInformer;
    private SharedIndexInformer<V1Node>? _nodeInformer;
    private Task[] _loops = [];
    private long _leaseRenewals;
    private long _nodeStatusPosts;
    private long _podStatusPatches;
    private long _podDeletes;

    /// <summary>Creates the set; nothing is registered until <see cref="StartAsync"/>.</summary>
    public HollowNodeSet(Clientset client, HollowNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Count < 0 || options.FirstIndex < 0 || options.FirstIndex + options.Count > 48_000)
        {
            throw new ArgumentException("hollow nodes: need 0 ≤ first index and first index + count ≤ 48000 (one /24 pod CIDR each)", nameof(options));
        }

        _client = client;
        _options = options;
        _time = options.TimeProvider;
        _logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("Skiff.Kubelet.Hollow");
        _timeline = new HollowTimeline(options.CrashLoopBackOff, options.MaxCrashLoopBackOff);
        _capacity = Quantities(options.Capacity);
        _allocatable = Quantities(options.Allocatable);
        for (var i = 0; i < options.Count; i++)
        {
            var index = options.FirstIndex + i;
            var node = new HollowNode(options.NamePrefix + index.ToString(CultureInfo.InvariantCulture), index);
            if (options.NodeToken?.Invoke(node.Name) is { Length: > 0 } token)
            {
                node.Client = new Clientset(new RestClient(client.Rest, token));
            }

            _nodes[node.Name] = node;
            _ordered.Add(node);
        }
    }

    /// <summary>The nodes, in index order.</summary>
    public IReadOnlyList<HollowNode> Nodes => _ordered;

    /// <summary>The number of pods the set currently runs.</summary>
    public int PodCount => _pods.Count;

    /// <summary>Lease renewals done so far.</summary>
    public long LeaseRenewals => Interlocked.Read(ref _leaseRenewals);

    /// <summary>Node status posts (registration excluded) done so far.</summary>
    public long NodeStatusPosts => Interlocked.Read(ref _nodeStatusPosts);

    /// <summary>Pod status patches done so far.</summary>
    public long PodStatusPatches => Interlocked.Read(ref _podStatusPatches);

    /// <summary>Final pod deletions (grace period 0) done so far.</summary>
    public long PodDeletes => Interlocked.Read(ref _podDeletes);

    /// <summary>The node named <paramref name="name"/>, or null when it is not in the set.</summary>
    public HollowNode? Find(string name) => _nodes.GetValueOrDefault(name);

    /// <summary>Stops (or with <paramref name="stopped"/> false, resumes) <paramref name="name"/>'s Lease renewals and status posts.</summary>
    public void StopHeartbeat(string name, bool stopped = true)
    {
        var node = Find(name) ?? throw new ArgumentException($"no hollow node {name}", nameof(name));
        node.HeartbeatStopped = stopped;
    }

    /// <summary>
    /// Registers every node and its Lease (a node that exists already is taken over), starts the informers and waits for
    /// them to sync, then starts the lease, status and pod loops. Returns once all that is done.
    /// </summary>
    public async Task StartAsync(CancellationToken ct)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
        await Parallel.ForEachAsync(_ordered, new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency, CancellationToken = linked.Token },
            async (node, c) =>
            {
                await RegisterAsync(node, c).ConfigureAwait(false);
                await EnsureLeaseAsync(node, c).ConfigureAwait(false);
            }).ConfigureAwait(false);

        var loggers = _options.LoggerFactory;
        _podFactory = new SharedInformerFactory(_client, new SharedInformerOptions { FieldSelector = "spec.nodeName!=", LoggerFactory = loggers, Name = "hollow-pods" });
        _nodeFactory = new SharedInformerFactory(_client, new SharedInformerOptions { LabelSelector = HollowNodeLabel + "=true", LoggerFactory = loggers, Name = "hollow-nodes" });
        _podInformer = _podFactory.Informer<V1Pod>();
        _nodeInformer = _nodeFactory.Informer<V1Node>();
        _podInformer.AddEventHandler(new ResourceEventHandler<V1Pod>((p, _) => OnPod(p), (_, p) => OnPod(p), (p, _) => OnPodDeleted(p)));
        _nodeInformer.AddEventHandler(new ResourceEventHandler<V1Node>((n, _) => OnNode(n), (_, n) => OnNode(n), null));
        await _podFactory.StartAsync(linked.Token).ConfigureAwait(false);
        await _nodeFactory.StartAsync(linked.Token).ConfigureAwait(false);
        await _podFactory.WaitForCacheSyncAsync(linked.Token).ConfigureAwait(false);
        await _nodeFactory.WaitForCacheSyncAsync(linked.Token).ConfigureAwait(false);
        // The first timers are armed before StartAsync returns, so a test's fake clock can fire them deterministically.
        var firstLease = Task.Delay(_options.LeaseRenewInterval, _time, _stop.Token);
        var firstStatus = Task.Delay(_options.NodeStatusUpdateFrequency, _time, _stop.Token);
        _loops = [Loop(c => LeaseLoopAsync(firstLease, c)), Loop(c => NodeStatusLoopAsync(firstStatus, c)), Loop(PodLoopAsync)];
        LogStarted(_logger, _ordered.Count, _options.NamePrefix);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        if (_podFactory is not null)
        {
            await _podFactory.DisposeAsync().ConfigureAwait(false);
        }

        if (_nodeFactory is not null)
        {
            await _nodeFactory.DisposeAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private Task Loop(Func<CancellationToken, Task> body) => Task.Run(async () =>
    {
        try
        {
            await body(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped.
        }
    });

    private async Task RegisterAsync(HollowNode node, CancellationToken ct)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["kubernetes.io/hostname"] = node.Name,
            ["kubernetes.io/os"] = "linux",
            ["kubernetes.io/arch"] = "amd64",
            ["beta.kubernetes.io/os"] = "linux",
            ["beta.kubernetes.io/arch"] = "amd64",
            ["node.kubernetes.io/instance-type"] = _options.InstanceType,
            [HollowNodeLabel] = "true",
        };
        foreach (var (k, v) in _options.Labels)
        {
            labels[k] = v;
        }

        var now = _time.GetUtcNow();
        var status = NodeStatusBuilder.Build(Runtime(node), null, now);
        var obj = new V1Node
        {
            Metadata = new V1ObjectMeta { Name = node.Name, Labels = labels, Annotations = new Dictionary<string, string> { ["node.alpha.kubernetes.io/ttl"] = "0" } },
            Spec = new V1NodeSpec
            {
                PodCIDR = node.PodCidr,
                PodCIDRs = [node.PodCidr],
                ProviderID = "hollow://" + node.Name,
                Taints = _options.Taints.Count > 0 ? [.. _options.Taints] : null,
            },
            Status = status,
        };
        V1Node created;
        try
        {
            created = await ClientOf(node).CoreV1().Nodes().CreateAsync(obj, ct: ct).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
        {
            // Upstream's kubelet reconciles an existing Node; the hollow node takes it over (and its CIDR, if it has one).
            created = await ClientOf(node).CoreV1().Nodes().GetAsync(node.Name, ct: ct).ConfigureAwait(false);
            if (created.Spec?.PodCIDR is { Length: > 0 } cidr && cidr.EndsWith("/24", StringComparison.Ordinal) &&
                System.Net.IPAddress.TryParse(cidr[..^3], out var a) && a.GetAddressBytes() is { Length: 4 } b)
            {
                node.CidrBase = ((uint)b[0] << 24) | ((uint)b[1] << 16) | ((uint)b[2] << 8);
            }
        }

        node.Uid = created.Metadata.Uid;
        node.LastStatusPost = now;
    }

    /// <summary>The client <paramref name="node"/> writes with: its own identity, or the set's.</summary>
    private Clientset ClientOf(HollowNode node) => node.Client ?? _client;

    private NodeRuntimeStatus Runtime(HollowNode node) => new()
    {
        Capacity = _capacity,
        Allocatable = _allocatable,
        Addresses =
        [
            new V1NodeAddress { Type = "InternalIP", Address = node.InternalIP },
            new V1NodeAddress { Type = "Hostname", Address = node.Name },
        ],
        NodeInfo = new V1NodeSystemInfo
        {
            MachineID = node.Name,
            SystemUUID = node.Name,
            BootID = node.Name,
            KernelVersion = "hollow",
            OsImage = "Skiff hollow node",
            ContainerRuntimeVersion = "hollow://1.0.0",
            KubeletVersion = _options.KubeletVersion,
            KubeProxyVersion = _options.KubeletVersion,
            OperatingSystem = "linux",
            Architecture = "amd64",
        },
    };

    private static Dictionary<string, ResourceQuantity> Quantities(IReadOnlyDictionary<string, string> values) =>
        values.ToDictionary(kv => kv.Key, kv => new ResourceQuantity(kv.Value), StringComparer.Ordinal);

    /// <summary>Reads the node's stop-heartbeat annotation (the node informer's handler).</summary>
    internal void OnNode(V1Node n)
    {
        if (Find(n.Metadata.Name) is { } node)
        {
            var stop = n.Metadata.Annotations?.TryGetValue(StopHeartbeatAnnotation, out var v) == true && v == "true";
            node.AnnotationStopped = stop;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} hollow nodes {Prefix}* registered")]
    private static partial void LogStarted(ILogger logger, int count, string prefix);

    [LoggerMessage(Level = LogLevel.Warning, Message = "hollow node {Node}: {Action} failed: {Reason}")]
    private static partial void LogNodeFailed(ILogger logger, string node, string action, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "hollow pod {Pod}: {Action} failed: {Reason}")]
    private static partial void LogPodFailed(ILogger logger, string pod, string action, string reason);
}
