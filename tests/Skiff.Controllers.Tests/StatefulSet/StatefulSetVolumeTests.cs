using System.Threading.Channels;
using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Controllers.LocalPath;
using Skiff.Controllers.Tests.Testing;
using Xunit;
using static Skiff.Controllers.Tests.Testing.WorkloadTestSupport;

namespace Skiff.Controllers.Tests.StatefulSet;

/// <summary>
/// Issue 10 end to end in process: a StatefulSet with a volume claim template of the default (local-path,
/// WaitForFirstConsumer) class, run by the statefulset controller, the persistent-volume binder and the local-path
/// provisioner, with the pods bound to a node through <c>pods/binding</c> (as the scheduler does) and made ready by a
/// fake kubelet only once every claim they use is Bound (as a kubelet mounts volumes before it starts containers).
/// </summary>
public sealed class StatefulSetVolumeTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "skiff-sts-volumes-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task OrderedStatefulSet_ClaimsOfTheDefaultClassAreProvisionedAndBound_ScaleDownDeletesInReverse()
    {
        ControllerDescriptor[] controllers =
        [
            .. BuiltInControllers.Select(["statefulset", "persistentvolume-binder"]),
            new("local-path-provisioner", true, ctx => LocalPathProvisioner.Register(new ControllerContext
            {
                Manager = ctx.Manager,
                Dynamic = ctx.Dynamic,
                Discovery = ctx.Discovery,
                LoggerFactory = ctx.LoggerFactory,
                StorageDirectory = _root,
            })),
        ];
        await using var h = await ControllerHarness.StartAsync(controllers);
        await ListWatch.UntilAsync(h.Clientset.Resource<V1StorageClass, V1StorageClassList>(), l => l.Any(c => c.Metadata.Name == LocalPathProvisioner.ClassName));
        var ns = await h.NamespaceAsync();
        var node = ns + "-node";
        await NodeAsync(h, node, new Dictionary<string, string> { ["kubernetes.io/hostname"] = node });

        // The kubelet starts a pod only once it is on a node and every claim it uses is Bound.
        var claimInformer = new SharedIndexInformer<V1PersistentVolumeClaim>(h.Clientset.CoreV1().PersistentVolumeClaims(ns), new SharedInformerOptions { Name = "test-claims" });
        var claims = claimInformer.Lister;
        bool VolumesReady(V1Pod p) => (p.Spec?.Volumes ?? []).Where(v => v.PersistentVolumeClaim is not null)
            .All(v => claims.Get(ns, v.PersistentVolumeClaim.ClaimName)?.Status?.Phase == "Bound");
        await using var kubelet = await FakeKubelet.StartAsync(h.Clientset, p => p.Metadata.NamespaceProperty == ns && p.Spec?.NodeName == node && VolumesReady(p));
        claimInformer.AddEventHandler(new ResourceEventHandler<V1PersistentVolumeClaim>((_, _) => kubelet.Reevaluate(), (_, _) => kubelet.Reevaluate()));
        using var stop = new CancellationTokenSource();
        var informing = claimInformer.RunAsync(stop.Token);
        await claimInformer.WaitForCacheSyncAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var agent = RunNodeAgentAsync(h, ns, node, stop.Token);
        try
        {
            // Every pod web-i (i > 0) appears only once web-(i-1) is Ready.
            using var watchingUp = new CancellationTokenSource();
            var up = await FollowPodsAsync(h, ns, pods => pods.Where(p => p.Metadata.DeletionTimestamp is null).All(p =>
                Ordinal(p) == 0 || pods.Any(q => Ordinal(q) == Ordinal(p) - 1 && Ready(q))), watchingUp.Token);
            await ApplyAsync(h, ns, StatefulSetControllerTests.StatefulSetYaml("web", 3, "nginx:1", claims: true));
            await h.Kubectl.OkAsync("rollout", "status", "-n", ns, "sts/web", "--timeout=90s");
            var pods = await UntilPodsAsync(h, ns, l => l.Count == 3 && l.All(Ready));
            await watchingUp.CancelAsync();
            Assert.DoesNotContain(false, await up);
            Assert.All(pods, p => Assert.Equal(node, p.Spec.NodeName));

            // Each claim data-web-i is Bound to a provisioned hostPath volume whose directory exists under the storage root.
            var bound = await ListWatch.UntilAsync(h.Clientset.CoreV1().PersistentVolumeClaims(ns), l => l.Count == 3 && l.All(c => c.Status?.Phase == "Bound"));
            Assert.Equal(["data-web-0", "data-web-1", "data-web-2"], bound.Select(c => c.Metadata.Name).Order(StringComparer.Ordinal));
            var root = Path.GetFullPath(_root);
            foreach (var claim in bound)
            {
                Assert.Equal(LocalPathProvisioner.ClassName, claim.Spec.StorageClassName);
                Assert.Equal("pvc-" + claim.Metadata.Uid, claim.Spec.VolumeName);
                var pv = await h.Clientset.CoreV1().PersistentVolumes().GetAsync(claim.Spec.VolumeName);
                Assert.Equal(("Bound", claim.Metadata.Name, claim.Metadata.Uid), (pv.Status.Phase, pv.Spec.ClaimRef.Name, pv.Spec.ClaimRef.Uid));
                Assert.Equal(Path.Combine(root, $"{pv.Metadata.Name}_{ns}_{claim.Metadata.Name}"), pv.Spec.HostPath.Path);
                Assert.True(Directory.Exists(pv.Spec.HostPath.Path), pv.Spec.HostPath.Path);
            }

            // The real kubectl shows all three Bound.
            var table = await h.Kubectl.OkAsync("get", "pvc", "-n", ns, "--no-headers");
            var rows = table.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Equal(3, rows.Length);
            foreach (var claim in bound)
            {
                Assert.Matches($@"^{claim.Metadata.Name}\s+Bound\s+{claim.Spec.VolumeName}\s+1Gi\s+RWO\s+local-path\s", rows.Single(r => r.StartsWith(claim.Metadata.Name + " ", StringComparison.Ordinal)));
            }

            // Scaled to 1: web-2 is gone before web-1 starts terminating (the node agent finishes graceful deletions).
            using var watchingDown = new CancellationTokenSource();
            var down = await FollowPodsAsync(h, ns, l => (
                OutOfOrder: l.Any(p => p.Metadata.Name == "web-2") && !l.Any(p => p.Metadata.Name == "web-1" && p.Metadata.DeletionTimestamp is null),
                Terminating: l.Any(p => p.Metadata.Name == "web-2" && p.Metadata.DeletionTimestamp is not null)), watchingDown.Token);
            await h.Kubectl.OkAsync("scale", "-n", ns, "sts/web", "--replicas=1");
            await UntilPodsAsync(h, ns, l => l.Select(p => p.Metadata.Name).SequenceEqual(["web-0"]));
            await watchingDown.CancelAsync();
            var seen = await down;
            Assert.DoesNotContain(seen, s => s.OutOfOrder);
            Assert.Contains(seen, s => s.Terminating);

            // The default retention policy (Retain) keeps every claim Bound.
            Assert.All((await h.Clientset.CoreV1().PersistentVolumeClaims(ns).ListAsync()).Items, c => Assert.Equal("Bound", c.Status.Phase));
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(agent, informing);
        }
    }

    /// <summary>
    /// What the scheduler and a kubelet do for the namespace's pods: binds every unbound pod to <paramref name="node"/>
    /// through <c>pods/binding</c>, and finishes the graceful deletion of its pods (a delete with grace period 0).
    /// </summary>
    private static async Task RunNodeAgentAsync(ControllerHarness h, string ns, string node, CancellationToken ct)
    {
        var work = Channel.CreateUnbounded<V1Pod>();
        var pods = h.Clientset.CoreV1().Pods(ns);
        var informer = new SharedIndexInformer<V1Pod>(pods, new SharedInformerOptions { Name = "test-node-agent" });
        informer.AddEventHandler(new ResourceEventHandler<V1Pod>((p, _) => work.Writer.TryWrite(p), (_, p) => work.Writer.TryWrite(p)));
        var run = informer.RunAsync(ct);
        try
        {
            await foreach (var pod in work.Reader.ReadAllAsync(ct))
            {
                try
                {
                    if (pod.Metadata.DeletionTimestamp is not null)
                    {
                        await pods.DeleteAsync(pod.Metadata.Name, new DeleteOptions { GracePeriodSeconds = 0, PreconditionUid = pod.Metadata.Uid }, ct);
                    }
                    else if (string.IsNullOrEmpty(pod.Spec?.NodeName))
                    {
                        var binding = new V1Binding
                        {
                            ApiVersion = "v1",
                            Kind = "Binding",
                            Metadata = new V1ObjectMeta { Name = pod.Metadata.Name, NamespaceProperty = ns, Uid = pod.Metadata.Uid },
                            Target = new V1ObjectReference { Kind = "Node", Name = node },
                        };
                        await h.Rest.Post().Version("v1").Namespace(ns).Resource("pods").Name(pod.Metadata.Name).SubResource("binding").Body(binding).DoAsync(ct);
                    }
                }
                catch (KubernetesApiException e) when (e.IsNotFound || e.IsConflict)
                {
                    // Gone, or already bound (an older event of the same pod).
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }

        try
        {
            await run;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static int Ordinal(V1Pod p) => int.Parse(p.Metadata.Name[(p.Metadata.Name.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
