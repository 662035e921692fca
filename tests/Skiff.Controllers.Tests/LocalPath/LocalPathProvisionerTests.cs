using k8s.Models;
using Skiff.Controllers.LocalPath;
using Skiff.Controllers.PersistentVolume;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.LocalPath;

public sealed class LocalPathProvisionerTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "skiff-local-path-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task ClaimOfTheDefaultClass_IsProvisionedOnItsConsumersNode_AndCleanedUpOnDelete()
    {
        ControllerDescriptor[] controllers =
        [
            .. BuiltInControllers.Select(["persistentvolume-binder"]),
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
        var sc = (await ListWatch.UntilAsync(h.Clientset.Resource<V1StorageClass, V1StorageClassList>(), l => l.Any(c => c.Metadata.Name == "local-path")))
            .Single(c => c.Metadata.Name == "local-path");
        Assert.Equal(("rancher.io/local-path", "WaitForFirstConsumer", "Delete", "true"),
            (sc.Provisioner, sc.VolumeBindingMode, sc.ReclaimPolicy, sc.Metadata.Annotations[VolumeHelpers.AnnDefaultClass]));

        var ns = await h.NamespaceAsync();
        var node = ns + "-node";
        await h.Clientset.CoreV1().Nodes().CreateAsync(new V1Node { Metadata = new() { Name = node, Labels = new Dictionary<string, string> { ["kubernetes.io/hostname"] = node } } });

        // No class named: the binder assigns the default one, then waits for a consumer.
        var (exit, _, err) = await h.Kubectl.RunAsync(["apply", "-n", ns, "-f", "-"], """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: data}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 2Gi}}
            """);
        Assert.True(exit == 0, err);
        var claims = h.Clientset.CoreV1().PersistentVolumeClaims(ns);
        await ListWatch.UntilAsync(claims, l => l.Single() is { Spec.StorageClassName: "local-path", Status.Phase: "Pending" });
        await ListWatch.UntilAsync(h.Clientset.CoreV1().Events(ns), l => l.Any(e => e.Reason == "WaitForFirstConsumer"));

        await h.Clientset.CoreV1().Pods(ns).CreateAsync(new V1Pod
        {
            Metadata = new() { Name = "user" },
            Spec = new()
            {
                NodeName = node,
                Containers = [new V1Container { Name = "c", Image = "busybox" }],
                Volumes = [new V1Volume { Name = "d", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = "data" } }],
            },
        });
        var claim = (await ListWatch.UntilAsync(claims, l => l.Single().Status?.Phase == "Bound"))[0];
        Assert.Equal(node, claim.Metadata.Annotations[VolumeHelpers.AnnSelectedNode]);
        Assert.Equal("rancher.io/local-path", claim.Metadata.Annotations[VolumeHelpers.AnnStorageProvisioner]);
        Assert.Equal("pvc-" + claim.Metadata.Uid, claim.Spec.VolumeName);

        var pv = await h.Clientset.CoreV1().PersistentVolumes().GetAsync(claim.Spec.VolumeName);
        var dir = Path.Combine(_root, $"{pv.Metadata.Name}_{ns}_data");
        Assert.Equal(dir, pv.Spec.HostPath.Path);
        Assert.True(Directory.Exists(dir));
        Assert.Equal(("Delete", "local-path", "2Gi"), (pv.Spec.PersistentVolumeReclaimPolicy, pv.Spec.StorageClassName, pv.Spec.Capacity["storage"].ToString()));
        Assert.Equal("rancher.io/local-path", pv.Metadata.Annotations[VolumeHelpers.AnnProvisionedBy]);
        var term = Assert.Single(pv.Spec.NodeAffinity.Required.NodeSelectorTerms);
        Assert.Equal(("kubernetes.io/hostname", "In", node), (term.MatchExpressions[0].Key, term.MatchExpressions[0].OperatorProperty, term.MatchExpressions[0].Values.Single()));
        File.WriteAllText(Path.Combine(dir, "payload"), "x");

        await h.Clientset.CoreV1().Pods(ns).DeleteAsync("user");
        await claims.DeleteAsync("data");
        await ListWatch.UntilAsync(h.Clientset.CoreV1().PersistentVolumes(), l => l.All(v => v.Metadata.Name != pv.Metadata.Name));
        Assert.False(Directory.Exists(dir));
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
