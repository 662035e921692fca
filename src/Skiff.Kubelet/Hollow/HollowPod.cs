namespace Skiff.Kubelet.Hollow;

/// <summary>The little a hollow node keeps per pod: identity, IP, when it was accepted, its behaviour and its deletion deadline.</summary>
internal sealed class HollowPod(string key, string uid, HollowNode node, DateTimeOffset start, HollowBehaviour behaviour)
{
    public string Key => key;

    public string Uid => uid;

    public HollowNode Node => node;

    public DateTimeOffset Start => start;

    public HollowBehaviour Behaviour { get; set; } = behaviour;

    public string? PodIP { get; set; }

    /// <summary>When the containers have stopped after a graceful deletion and the pod is removed; null: not deleting.</summary>
    public DateTimeOffset? KillAt { get; set; }

    /// <summary>True when the containers outlast the grace period and are killed (exit 137) rather than stopping on SIGTERM (exit 0).</summary>
    public bool KilledAtGrace { get; set; }

    /// <summary>The instant this pod is queued for (null: not queued); older queue entries are stale.</summary>
    public DateTimeOffset? QueuedAt { get; set; }

    /// <summary>True once the pod was removed from the set (deleted).</summary>
    public bool Gone { get; set; }
}
