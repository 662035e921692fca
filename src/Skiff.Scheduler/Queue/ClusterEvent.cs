namespace Skiff.Scheduler.Queue;

/// <summary>The cluster events that can make an unschedulable pod schedulable (upstream <c>framework.ClusterEvent</c>, coarse).</summary>
public enum ClusterEvent
{
    /// <summary>A node was added or changed.</summary>
    Node,

    /// <summary>A pod was bound or assumed on a node.</summary>
    AssignedPodAdd,

    /// <summary>The labels of a bound pod changed.</summary>
    AssignedPodUpdate,

    /// <summary>A bound pod was deleted or finished.</summary>
    AssignedPodDelete,

    /// <summary>A PersistentVolumeClaim, PersistentVolume or StorageClass was added or changed.</summary>
    Storage,

    /// <summary>A namespace was added or its labels changed.</summary>
    Namespace,
}
