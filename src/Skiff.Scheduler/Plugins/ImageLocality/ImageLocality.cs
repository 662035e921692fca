using k8s.Models;
using Skiff.Scheduler.Framework;

namespace Skiff.Scheduler.Plugins.ImageLocality;

/// <summary>
/// Upstream's <c>ImageLocality</c>: favours nodes that already have the pod's images (<c>status.images</c>), each
/// image's size scaled by the share of nodes that have it, clamped between 23 MB and 1000 MB per container.
/// </summary>
internal sealed class ImageLocality : IPreScorePlugin, IScorePlugin
{
    public const string PluginName = "ImageLocality";
    private const long Mb = 1024 * 1024;
    private const long MinThreshold = 23 * Mb;
    private const long MaxContainerThreshold = 1000 * Mb;
    private const string StateKey = "PreScore" + PluginName;

    public string Name => PluginName;

    public Status? PreScore(CycleState state, V1Pod pod, IReadOnlyList<NodeInfo> nodes)
    {
        // Upstream spreads over all nodes of the snapshot; the feasible ones are what this cycle has.
        var spread = new Dictionary<string, int>(StringComparer.Ordinal);
        HashSet<string>? seen = null;
        foreach (var n in nodes)
        {
            // Most nodes of a large cluster report no images (hollow ones never do): skip them without a query.
            if (n.Node.Status?.Images is not { Count: > 0 } images)
            {
                continue;
            }

            seen ??= new HashSet<string>(StringComparer.Ordinal);
            seen.Clear();
            foreach (var image in images)
            {
                foreach (var name in image.Names ?? [])
                {
                    var normalized = Normalized(name);
                    if (seen.Add(normalized))
                    {
                        spread[normalized] = spread.GetValueOrDefault(normalized) + 1;
                    }
                }
            }
        }

        state.Write(StateKey, new Counts(spread, nodes.Count));
        return null;
    }

    public long Score(CycleState state, V1Pod pod, NodeInfo node)
    {
        var counts = state.Read<Counts>(StateKey);
        var total = Math.Max(1, counts?.Total ?? 1);
        var images = node.Node.Status?.Images ?? [];
        long sum = 0;
        var containerCount = (pod.Spec?.InitContainers?.Count ?? 0) + (pod.Spec?.Containers?.Count ?? 0);
        if (images.Count > 0)
        {
            foreach (var c in (pod.Spec?.InitContainers ?? []).Concat(pod.Spec?.Containers ?? []))
            {
                if (c.Image is { } image && SizeOf(images, Normalized(image)) is { } size)
                {
                    var have = counts?.Spread.GetValueOrDefault(Normalized(image)) ?? 1;
                    sum += (long)(size * ((double)have / total));
                }
            }
        }

        var max = MaxContainerThreshold * Math.Max(1, containerCount);
        sum = Math.Clamp(sum, MinThreshold, max);
        return IScorePlugin.MaxNodeScore * (sum - MinThreshold) / (max - MinThreshold);
    }

    private static long? SizeOf(IList<V1ContainerImage> images, string name)
    {
        foreach (var i in images)
        {
            foreach (var n in i.Names ?? [])
            {
                if (Normalized(n) == name)
                {
                    return i.SizeBytes ?? 0;
                }
            }
        }

        return null;
    }

    /// <summary>Upstream's <c>normalizedImageName</c>: an image without a tag or digest means <c>:latest</c>.</summary>
    private static string Normalized(string name) =>
        name.Contains('@', StringComparison.Ordinal) || name.LastIndexOf(':') > name.LastIndexOf('/') ? name : name + ":latest";

    private sealed record Counts(Dictionary<string, int> Spread, int Total);
}
