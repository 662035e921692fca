using k8s.Models;

namespace Skiff.Bench.Scheduler;

/// <summary>One Deployment the density bench creates, at <see cref="AtSeconds"/> after its phase starts.</summary>
internal sealed record PlannedDeployment(string Name, int Replicas, double AtSeconds);

/// <summary>
/// The density bench's workload, as clusterloader2 shapes it:
/// <list type="bullet">
/// <item>Saturation (testing/load's <c>RandomizedSaturationTimeLimited</c>): the pods in Deployments of 250, 30 and 5
/// replicas (a quarter, a quarter and a half of them, the load test's big/medium/small groups), each Deployment created
/// at a uniformly random moment within <c>pods / podThroughput</c> seconds, so pods are asked for at that mean rate.</item>
/// <item>Latency (testing/density's latency pods, tuning set <c>Uniform5qps</c>): one single-replica Deployment per
/// latency pod, created every <c>1 / qps</c> seconds.</item>
/// </list>
/// </summary>
internal static class DensityLoad
{
    public const int BigGroup = 250;
    public const int MediumGroup = 30;
    public const int SmallGroup = 5;

    /// <summary>The saturation Deployments for <paramref name="pods"/> pods at <paramref name="podsPerSecond"/>, in creation order.</summary>
    public static List<PlannedDeployment> Saturation(int pods, double podsPerSecond, int seed = 11)
    {
        var big = pods / (4 * BigGroup);
        var medium = pods / (4 * MediumGroup);
        var rest = pods - (big * BigGroup) - (medium * MediumGroup);
        var sizes = new List<(string Prefix, int Replicas)>();
        sizes.AddRange(Enumerable.Repeat(("big", BigGroup), big));
        sizes.AddRange(Enumerable.Repeat(("medium", MediumGroup), medium));
        sizes.AddRange(Enumerable.Repeat(("small", SmallGroup), rest / SmallGroup));
        if (rest % SmallGroup > 0)
        {
            sizes.Add(("small", rest % SmallGroup));
        }

        var limit = pods / Math.Max(podsPerSecond, 0.001);
        var random = new Random(seed);
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        return [.. sizes
            .Select(s => new PlannedDeployment($"saturation-{s.Prefix}-{counters[s.Prefix] = counters.GetValueOrDefault(s.Prefix) + 1}", s.Replicas, random.NextDouble() * limit))
            .OrderBy(d => d.AtSeconds)];
    }

    /// <summary>The latency Deployments: <paramref name="pods"/> of one replica, one every <c>1 / qps</c> seconds.</summary>
    public static List<PlannedDeployment> Latency(int pods, double qps) =>
        [.. Enumerable.Range(0, pods).Select(i => new PlannedDeployment($"latency-{i}", 1, i / Math.Max(qps, 0.001)))];

    /// <summary>Creates each planned Deployment no earlier than its moment (late ones at once), one at a time; returns the seconds it took.</summary>
    public static async Task<double> CreateAsync(
        IReadOnlyList<PlannedDeployment> plan, Func<PlannedDeployment, CancellationToken, Task> create, CancellationToken ct)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var d in plan)
        {
            var wait = TimeSpan.FromSeconds(d.AtSeconds) - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                // Pacing the workload to its schedule, not synchronisation.
                await Task.Delay(wait, ct).ConfigureAwait(false);
            }

            await create(d, ct).ConfigureAwait(false);
        }

        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>A Deployment of pause pods labelled <c>group=<paramref name="group"/></c> with the given requests.</summary>
    public static V1Deployment Deployment(string name, int replicas, string group, string cpu, string memory)
    {
        var labels = new Dictionary<string, string> { ["name"] = name, ["group"] = group };
        return new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["group"] = group } },
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        Containers = [PauseContainer("pause", cpu, memory)],
                    },
                },
            },
        };
    }

    /// <summary>A pause container requesting <paramref name="cpu"/> and <paramref name="memory"/>.</summary>
    public static V1Container PauseContainer(string name, string cpu, string memory) => new()
    {
        Name = name,
        Image = "registry.k8s.io/pause:3.10",
        Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new(cpu), ["memory"] = new(memory) } },
    };
}
