using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Tests.Testing;

/// <summary>Builders of in-memory pods and nodes for plugin tests (upstream's <c>st.MakePod()</c>/<c>MakeNode()</c> in spirit).</summary>
internal static class Make
{
    private static int _uid;

    public static V1Pod Pod(string name, string ns = "default", IDictionary<string, string>? labels = null, params (string Cpu, string Memory)[] containers) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = ns, Uid = $"uid-{name}-{Interlocked.Increment(ref _uid)}", Labels = labels },
        Spec = new V1PodSpec
        {
            Containers = containers.Length == 0
                ? [new V1Container { Name = "c", Image = "pause" }]
                : [.. containers.Select((c, i) => new V1Container
                {
                    Name = $"c{i}",
                    Image = "pause",
                    Resources = new V1ResourceRequirements
                    {
                        Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(c.Cpu), ["memory"] = new(c.Memory) },
                    },
                })],
        },
    };

    public static NodeInfo Node(string name, string cpu = "4", string memory = "8Gi", IDictionary<string, string>? labels = null, IList<V1Taint>? taints = null, params V1Pod[] pods)
    {
        var alloc = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory), ["pods"] = new("110") };
        var info = new NodeInfo(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Uid = "node-" + name, Labels = labels ?? new Dictionary<string, string> { ["kubernetes.io/hostname"] = name } },
            Spec = new V1NodeSpec { Taints = taints },
            Status = new V1NodeStatus { Allocatable = alloc },
        });
        foreach (var p in pods)
        {
            info.AddPod(p);
        }

        return info;
    }

    /// <summary>Runs PreScore (when the plugin has it), Score per node and NormalizeScore, like the framework does for one plugin.</summary>
    public static long[] Scores(IScorePlugin plugin, V1Pod pod, params NodeInfo[] nodes)
    {
        var state = new CycleState();
        if (plugin is IPreScorePlugin pre)
        {
            pre.PreScore(state, pod, nodes);
        }

        var scores = nodes.Select(n => plugin.Score(state, pod, n)).ToArray();
        plugin.NormalizeScore(state, pod, scores);
        return scores;
    }
}
