using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// One scheduling profile (upstream <c>frameworkImpl</c>): the plugins enabled at each extension point, in order, and
/// the score weights, for pods whose <c>spec.schedulerName</c> is <see cref="SchedulerName"/>. Runs each extension
/// point the way upstream's framework does: filters stop at the first rejection of a node; scores are normalized per
/// plugin, multiplied by the weight and summed.
/// </summary>
public sealed class Profile
{
    public Profile(string schedulerName, IQueueSortPlugin queueSort, IEnumerable<IPlugin> plugins, IReadOnlyDictionary<string, int>? weights = null)
    {
        SchedulerName = schedulerName;
        QueueSort = queueSort;
        var list = plugins.ToList();
        PreEnqueue = [.. list.OfType<IPreEnqueuePlugin>()];
        PreFilter = [.. list.OfType<IPreFilterPlugin>()];
        Filter = [.. list.OfType<IFilterPlugin>()];
        PostFilter = [.. list.OfType<IPostFilterPlugin>()];
        PreScore = [.. list.OfType<IPreScorePlugin>()];
        Score = [.. list.OfType<IScorePlugin>().Select(p => (p, weights?.GetValueOrDefault(p.Name, 1) ?? 1)).Where(x => x.Item2 > 0)];
        Reserve = [.. list.OfType<IReservePlugin>()];
        Permit = [.. list.OfType<IPermitPlugin>()];
        PreBind = [.. list.OfType<IPreBindPlugin>()];
        Bind = [.. list.OfType<IBindPlugin>()];
        foreach (var aware in list.OfType<IProfileAware>())
        {
            aware.Attach(this);
        }
    }

    public string SchedulerName { get; }

    public IQueueSortPlugin QueueSort { get; }

    public IReadOnlyList<IPreEnqueuePlugin> PreEnqueue { get; }

    public IReadOnlyList<IPreFilterPlugin> PreFilter { get; }

    public IReadOnlyList<IFilterPlugin> Filter { get; }

    public IReadOnlyList<IPostFilterPlugin> PostFilter { get; }

    public IReadOnlyList<IPreScorePlugin> PreScore { get; }

    public IReadOnlyList<(IScorePlugin Plugin, int Weight)> Score { get; }

    public IReadOnlyList<IReservePlugin> Reserve { get; }

    public IReadOnlyList<IPermitPlugin> Permit { get; }

    public IReadOnlyList<IPreBindPlugin> PreBind { get; }

    public IReadOnlyList<IBindPlugin> Bind { get; }

    /// <summary>The pods of this profile waiting on Permit (upstream's framework handle <c>GetWaitingPod</c>/<c>IterateOverWaitingPods</c>).</summary>
    public WaitingPods WaitingPods { get; } = new();

    /// <summary>Runs every PreEnqueue plugin; the first rejection (stamped with its plugin) keeps the pod out of the active queue.</summary>
    public Status? RunPreEnqueue(V1Pod pod)
    {
        foreach (var p in PreEnqueue)
        {
            if (p.PreEnqueue(pod) is { } s)
            {
                s.Plugin = p.Name;
                return s;
            }
        }

        return null;
    }

    /// <summary>Runs every PreFilter; the first rejection or error is returned (stamped with its plugin).</summary>
    public Status? RunPreFilter(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        foreach (var p in PreFilter)
        {
            var s = p.PreFilter(state, pod, nodes);
            if (s?.Code == Code.Skip)
            {
                state.SkipFilter.Add(p.Name);
                continue;
            }

            if (s is not null)
            {
                s.Plugin = p.Name;
                return s;
            }
        }

        state.ActiveFilters = [.. Filter.Where(p => !state.SkipFilter.Contains(p.Name))];
        return null;
    }

    /// <summary>Runs the filters on one node; null when it fits, else the first rejection.</summary>
    public Status? RunFilter(CycleState state, V1Pod pod, NodeInfo node)
    {
        foreach (var p in state.ActiveFilters ?? [.. Filter.Where(p => !state.SkipFilter.Contains(p.Name))])
        {
            var s = p.Filter(state, pod, node);
            if (s is not null)
            {
                s.Plugin = p.Name;
                return s;
            }
        }

        return null;
    }

    /// <summary>
    /// Runs PreScore, then every Score plugin over <paramref name="nodes"/> (with <paramref name="workers"/> &gt; 1,
    /// nodes are scored concurrently, as upstream's <c>RunScorePlugins</c>; Score plugins only read the cycle state);
    /// returns the weighted sums per node.
    /// </summary>
    public long[] RunScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes, int workers = 1)
    {
        foreach (var p in PreScore)
        {
            var s = p.PreScore(state, pod, nodes);
            if (s?.Code == Code.Skip)
            {
                state.SkipScore.Add(p.Name);
            }
            else if (s is not null)
            {
                throw new InvalidOperationException($"running PreScore plugin {p.Name}: {s.Message}");
            }
        }

        var active = Score.Where(p => !state.SkipScore.Contains(p.Plugin.Name)).ToArray();
        var scores = new long[active.Length][];
        for (var k = 0; k < active.Length; k++)
        {
            scores[k] = new long[nodes.Count];
        }

        // One pass per node over every plugin (upstream's RunScorePlugins parallelizes over nodes, not per plugin):
        // one fork and join per cycle rather than one per plugin.
        void ScoreNode(int i)
        {
            for (var k = 0; k < active.Length; k++)
            {
                scores[k][i] = active[k].Plugin.Score(state, pod, nodes[i]);
            }
        }

        if (workers > 1)
        {
            Parallel.For(0, nodes.Count, new ParallelOptions { MaxDegreeOfParallelism = workers }, ScoreNode);
        }
        else
        {
            for (var i = 0; i < nodes.Count; i++)
            {
                ScoreNode(i);
            }
        }

        var totals = new long[nodes.Count];
        for (var k = 0; k < active.Length; k++)
        {
            var (plugin, weight) = active[k];
            plugin.NormalizeScore(state, pod, scores[k]);
            for (var i = 0; i < nodes.Count; i++)
            {
                totals[i] += scores[k][i] * weight;
            }
        }

        return totals;
    }
}
