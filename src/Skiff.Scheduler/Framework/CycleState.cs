namespace Skiff.Scheduler.Framework;

/// <summary>Per-scheduling-cycle data plugins share between their extension points (upstream <c>CycleState</c>).</summary>
public sealed class CycleState
{
    private readonly Dictionary<string, object> _data = new(StringComparer.Ordinal);

    /// <summary>Plugins whose PreScore returned Skip; their Score is not called.</summary>
    internal HashSet<string> SkipScore { get; } = new(StringComparer.Ordinal);

    /// <summary>Plugins whose PreFilter returned Skip; their Filter is not called.</summary>
    internal HashSet<string> SkipFilter { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The Filter plugins left after PreFilter (those whose PreFilter did not Skip), set once per cycle by
    /// <see cref="Profile.RunPreFilter"/> so the per-node loop does not look each plugin up in <see cref="SkipFilter"/>.
    /// </summary>
    internal IFilterPlugin[]? ActiveFilters { get; set; }

    /// <summary>Every node of the cycle's snapshot (not only the feasible ones), for PreScore plugins that count domains.</summary>
    public IReadOnlyList<NodeInfo>? AllNodes { get; set; }

    /// <summary>The nodes of <see cref="AllNodes"/> with pods that have pod affinity or anti-affinity (null: unknown, filter <see cref="AllNodes"/>).</summary>
    public IReadOnlyList<NodeInfo>? NodesWithAffinityPods { get; set; }

    /// <summary>The nodes of <see cref="AllNodes"/> with pods that have required pod anti-affinity (null: unknown, filter <see cref="AllNodes"/>).</summary>
    public IReadOnlyList<NodeInfo>? NodesWithRequiredAntiAffinityPods { get; set; }

    public void Write(string key, object value) => _data[key] = value;

    public T? Read<T>(string key) where T : class => _data.TryGetValue(key, out var v) ? v as T : null;
}
