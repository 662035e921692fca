using System.Collections.Concurrent;
using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Config;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Xunit;

namespace Skiff.E2E.Tests;

/// <summary>
/// The client SDK against the real <c>skiff up</c> binary over HTTPS, configured from the admin kubeconfig the
/// binary wrote — the way a user's program talks to a cluster.
/// </summary>
public sealed class ClientSdkTests(SkiffFixture fx) : IClassFixture<SkiffFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [SkippableFact]
    public async Task Clientset_AgainstSkiffUp_RoundTripsAndInformerSeesWrites()
    {
        Skip.If(fx.Skiff is null, "kubectl not installed (the fixture starts skiff only then)");
        var config = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(fx.Skiff.Kubeconfig));
        using var cs = new Clientset(config);
        var ns = "sdk-" + Guid.NewGuid().ToString("N")[..8];
        await cs.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } });
        var cms = cs.CoreV1().ConfigMaps(ns);

        var created = await cms.CreateAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "a", Labels = new Dictionary<string, string> { ["app"] = "sdk" } },
            Data = new Dictionary<string, string> { ["k"] = "1" },
        });
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));

        // Update as compare-and-swap: a stale resourceVersion is a conflict.
        created.Data["k"] = "2";
        var updated = await cms.UpdateAsync(created);
        var stale = await Assert.ThrowsAsync<KubernetesApiException>(() => cms.UpdateAsync(created));
        Assert.True(stale.IsConflict, stale.Message);

        // An informer lists, then watches from the list's resourceVersion: it sees the later writes in order.
        var seen = new ConcurrentQueue<string>();
        var informer = new SharedIndexInformer<V1ConfigMap>(cms);
        informer.AddEventHandler(new Recorder(seen));
        using var stop = new CancellationTokenSource();
        var run = informer.RunAsync(stop.Token);
        await informer.WaitForCacheSyncAsync().WaitAsync(Deadline);
        await cms.CreateAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "b" } });
        await cms.DeleteAsync("a");
        await WaitUntilAsync(() => seen.Contains("delete a"));
        // The root-ca-cert-publisher of skiff up adds kube-root-ca.crt to every namespace at its own pace: not this test's write.
        Assert.Equal(["add a " + updated.Metadata.ResourceVersion, "add b", "delete a"], seen.Where(e => !e.Contains("kube-root-ca.crt", StringComparison.Ordinal)).Select(Trim).ToArray());

        var missing = await Assert.ThrowsAsync<KubernetesApiException>(() => cms.GetAsync("a"));
        Assert.True(missing.IsNotFound, missing.Message);
        await stop.CancelAsync();
        await run.WaitAsync(Deadline);

        static string Trim(string s) => s.StartsWith("add b", StringComparison.Ordinal) ? "add b" : s;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Deadline);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private sealed class Recorder(ConcurrentQueue<string> seen) : IResourceEventHandler<V1ConfigMap>
    {
        public void OnAdd(V1ConfigMap obj, bool isInInitialList) => seen.Enqueue($"add {obj.Metadata.Name} {obj.Metadata.ResourceVersion}");

        public void OnUpdate(V1ConfigMap oldObj, V1ConfigMap newObj) => seen.Enqueue($"update {newObj.Metadata.Name}");

        public void OnDelete(V1ConfigMap obj, bool isFinalStateUnknown) => seen.Enqueue($"delete {obj.Metadata.Name}");
    }
}
