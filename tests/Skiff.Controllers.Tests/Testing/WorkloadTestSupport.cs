using k8s;
using k8s.Models;
using Skiff.Client.Options;
using Xunit;

namespace Skiff.Controllers.Tests.Testing;

/// <summary>Helpers the DaemonSet and StatefulSet tests share: applying YAML with the real kubectl, nodes, and following pods on a watch.</summary>
internal static class WorkloadTestSupport
{
    /// <summary>Applies <paramref name="yaml"/> in <paramref name="ns"/> with the real kubectl; fails the test on a non-zero exit.</summary>
    public static async Task ApplyAsync(ControllerHarness h, string ns, string yaml)
    {
        var (exit, _, err) = await h.Kubectl.RunAsync(["apply", "-n", ns, "-f", "-"], yaml);
        Assert.True(exit == 0, err);
    }

    /// <summary>Creates a Node object (no kubelet behind it) with <paramref name="labels"/> and <paramref name="taints"/>.</summary>
    public static Task<V1Node> NodeAsync(ControllerHarness h, string name, IDictionary<string, string>? labels = null, params V1Taint[] taints) =>
        h.Clientset.CoreV1().Nodes().CreateAsync(new V1Node
        {
            Metadata = new V1ObjectMeta { Name = name, Labels = labels ?? new Dictionary<string, string>() },
            Spec = new V1NodeSpec { Taints = taints.Length == 0 ? null : [.. taints] },
        });

    public static bool Ready(V1Pod p) => p.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    /// <summary>Waits (up to 60 s) until the namespace's pods satisfy <paramref name="predicate"/>.</summary>
    public static Task<IReadOnlyList<V1Pod>> UntilPodsAsync(ControllerHarness h, string ns, Func<IReadOnlyList<V1Pod>, bool> predicate) =>
        ListWatch.UntilAsync(h.Clientset.CoreV1().Pods(ns), predicate, TimeSpan.FromSeconds(60));

    /// <summary>
    /// Lists the namespace's pods, then (returned task) follows them on a watch from that list until cancelled,
    /// recording <paramref name="measure"/> of the pod set after every event.
    /// </summary>
    public static async Task<Task<List<T>>> FollowPodsAsync<T>(ControllerHarness h, string ns, Func<ICollection<V1Pod>, T> measure, CancellationToken ct)
    {
        var client = h.Clientset.CoreV1().Pods(ns);
        var list = await client.ListAsync();
        var pods = list.Items.ToDictionary(p => p.Metadata.Name);
        return Task.Run(async () =>
        {
            var seen = new List<T> { measure(pods.Values) };
            try
            {
                await foreach (var e in client.WatchAsync(new ListOptions { ResourceVersion = list.Metadata.ResourceVersion }, ct))
                {
                    if (e.Type == WatchEventType.Bookmark)
                    {
                        continue;
                    }

                    if (e.Type == WatchEventType.Deleted)
                    {
                        pods.Remove(e.Object.Metadata.Name);
                    }
                    else
                    {
                        pods[e.Object.Metadata.Name] = e.Object;
                    }

                    seen.Add(measure(pods.Values));
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
            }

            return seen;
        }, CancellationToken.None);
    }
}
