using k8s.Models;
using Microsoft.Extensions.Logging;

namespace Skiff.Kubelet.Hollow;

/// <summary>The configuration of a <see cref="HollowNodeSet"/>: how many nodes, their names, resources, labels and taints, and the kubelet's periods.</summary>
public sealed record HollowNodeOptions
{
    /// <summary>The number of hollow nodes.</summary>
    public int Count { get; init; } = 1;

    /// <summary>Node names are this prefix followed by the node's index (<c>hollow-0</c>, <c>hollow-1</c>…).</summary>
    public string NamePrefix { get; init; } = "hollow-";

    /// <summary>The index of the first node (so that several processes can share one cluster with disjoint names and CIDRs).</summary>
    public int FirstIndex { get; init; }

    /// <summary>Each node's capacity (upstream quantities).</summary>
    public IReadOnlyDictionary<string, string> Capacity { get; init; } = new Dictionary<string, string>
    {
        ["cpu"] = "4",
        ["memory"] = "16Gi",
        ["pods"] = "110",
        ["ephemeral-storage"] = "100Gi",
    };

    /// <summary>Each node's allocatable resources; a resource missing here is allocatable at its capacity.</summary>
    public IReadOnlyDictionary<string, string> Allocatable { get; init; } = new Dictionary<string, string>();

    /// <summary>Extra labels on every node (on top of hostname, os, arch and instance-type).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>The <c>node.kubernetes.io/instance-type</c> label.</summary>
    public string InstanceType { get; init; } = "hollow";

    /// <summary>Taints every node registers with.</summary>
    public IReadOnlyList<V1Taint> Taints { get; init; } = [];

    /// <summary>How often each node's Lease is renewed (upstream: 10 s, a quarter of the lease duration).</summary>
    public TimeSpan LeaseRenewInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The Lease's <c>leaseDurationSeconds</c> (upstream's <c>nodeLeaseDurationSeconds</c>: 40).</summary>
    public int LeaseDurationSeconds { get; init; } = 40;

    /// <summary>How often node status is computed and posted if it changed (upstream's <c>nodeStatusUpdateFrequency</c>).</summary>
    public TimeSpan NodeStatusUpdateFrequency { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How often node status is posted even unchanged (upstream's <c>nodeStatusReportFrequency</c>).</summary>
    public TimeSpan NodeStatusReportFrequency { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The first container restart back-off (upstream: 10 s).</summary>
    public TimeSpan CrashLoopBackOff { get; init; } = HollowTimeline.DefaultBackOff;

    /// <summary>The longest container restart back-off (upstream: 5 min).</summary>
    public TimeSpan MaxCrashLoopBackOff { get; init; } = HollowTimeline.DefaultMaxBackOff;

    /// <summary>The kubelet version the nodes report.</summary>
    public string KubeletVersion { get; init; } = "v1.32.0";

    /// <summary>How many API calls the set makes at once (registration, renewals, status patches).</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>
    /// The bearer token a node writes with (its Node, Lease, node and pod status, pod removal), given its name: as
    /// upstream's kubelets, each node is then <c>system:node:NAME</c> in <c>system:nodes</c> to the Node authorizer and
    /// NodeRestriction. The requests share the set's client's connections (<see cref="Skiff.Client.Rest.RestClient(Skiff.Client.Rest.RestClient, string)"/>).
    /// Null (the default), or null for a node: the node writes as the set's client. See <see cref="HollowNodeTokens"/>.
    /// </summary>
    public Func<string, string?>? NodeToken { get; init; }

    /// <summary>The clock of every timer: lease renewals, status reports, pod behaviours, grace periods.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory? LoggerFactory { get; init; }
}
