using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Client.Dynamic;
using Skiff.Client.Discovery;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using Skiff.Controllers;
using Skiff.Scheduler.Plugins.VolumeBinding;
using Skiff.Scheduler.Tests.Testing;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.Scheduler.Tests;

/// <summary>
/// VolumeBinding end to end with the real persistentvolume-binder controller: a WaitForFirstConsumer claim is matched
/// to a static local volume on the node its pod lands on, the scheduler writes the volume's claimRef, the PV controller
/// completes the binding, and only then is the pod bound; a claim with no volume left waits with upstream's message
/// and is scheduled when a fitting volume appears.
/// </summary>
public sealed class StaticVolumeBindingTests
{
    [Fact]
    public async Task WaitForFirstConsumerClaims_BindToStaticVolumesOnThePodsNode_ThroughThePvController()
    {
        await using var h = await SchedulerHarness.StartAsync();
        await using var pvController = await PvControllerAsync(h);
        await h.NodeAsync("n1");
        await h.NodeAsync("n2");
        var ns = await h.NamespaceAsync();
        var cls = "local-" + ns;
        await h.Clientset.Resource<V1StorageClass, V1StorageClassList>().CreateAsync(new V1StorageClass
        {
            Metadata = new V1ObjectMeta { Name = cls },
            Provisioner = VolumeBinding.NoProvisioner,
            VolumeBindingMode = "WaitForFirstConsumer",
        });
        var volumes = h.Clientset.CoreV1().PersistentVolumes();
        await volumes.CreateAsync(Volume($"{ns}-a", cls, "n2", "1Gi"));
        await volumes.CreateAsync(Volume($"{ns}-small", cls, "n1", "100Mi"));
        var claims = h.Clientset.CoreV1().PersistentVolumeClaims(ns);
        var pods = h.Clientset.CoreV1().Pods(ns);
        await claims.CreateAsync(Claim("first", cls));
        await claims.CreateAsync(Claim("second", cls));

        // The only volume big enough is on n2: the pod goes there, and the claim is bound to it by the PV controller.
        await pods.CreateAsync(WithClaim("a", "first"));
        var bound = await ListWatch.UntilAsync(pods, l => l.Any(p => p.Metadata.Name == "a" && !string.IsNullOrEmpty(p.Spec.NodeName)));
        Assert.Equal("n2", bound.Single(p => p.Metadata.Name == "a").Spec.NodeName);
        var claim = await claims.GetAsync("first");
        Assert.Equal($"{ns}-a", claim.Spec.VolumeName);
        Assert.Equal("Bound", claim.Status?.Phase ?? (await ListWatch.UntilAsync(claims, l => l.Any(c => c.Metadata.Name == "first" && c.Status?.Phase == "Bound"))).Single(c => c.Metadata.Name == "first").Status.Phase);
        var pv = await volumes.GetAsync($"{ns}-a");
        Assert.Equal(("first", claim.Metadata.Uid), (pv.Spec.ClaimRef?.Name, pv.Spec.ClaimRef?.Uid));

        // No volume left for the second claim: upstream's reason on both nodes.
        await pods.CreateAsync(WithClaim("b", "second"));
        const string Expected = "0/2 nodes are available: 2 " + VolumeBinding.ErrReasonBindConflict + ".";
        await ListWatch.UntilAsync(pods, l => l.Any(p => p.Metadata.Name == "b" && p.Status?.Conditions?.Any(c => c.Reason == "Unschedulable" && c.Message.StartsWith(Expected, StringComparison.Ordinal)) == true));

        // A fitting volume appears on n1: the pod is scheduled there with its claim bound to it.
        await volumes.CreateAsync(Volume($"{ns}-b", cls, "n1", "2Gi"));
        var later = await ListWatch.UntilAsync(pods, l => l.Any(p => p.Metadata.Name == "b" && !string.IsNullOrEmpty(p.Spec.NodeName)));
        Assert.Equal("n1", later.Single(p => p.Metadata.Name == "b").Spec.NodeName);
        Assert.Equal($"{ns}-b", (await claims.GetAsync("second")).Spec.VolumeName);
        Assert.Null((await volumes.GetAsync($"{ns}-small")).Spec.ClaimRef);
    }

    private static V1PersistentVolume Volume(string name, string cls, string node, string size) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PersistentVolumeSpec
        {
            StorageClassName = cls,
            AccessModes = ["ReadWriteOnce"],
            Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new(size) },
            PersistentVolumeReclaimPolicy = "Retain",
            Local = new V1LocalVolumeSource { Path = "/mnt/" + name },
            NodeAffinity = new V1VolumeNodeAffinity
            {
                Required = new V1NodeSelector { NodeSelectorTerms = [new V1NodeSelectorTerm { MatchExpressions = [new V1NodeSelectorRequirement { Key = "kubernetes.io/hostname", OperatorProperty = "In", Values = [node] }] }] },
            },
        },
    };

    private static V1PersistentVolumeClaim Claim(string name, string cls) => new()
    {
        Metadata = new V1ObjectMeta { Name = name },
        Spec = new V1PersistentVolumeClaimSpec
        {
            StorageClassName = cls,
            AccessModes = ["ReadWriteOnce"],
            Resources = new V1VolumeResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Gi") } },
        },
    };

    private static V1Pod WithClaim(string name, string claim)
    {
        var p = SchedulerHarness.Pod(name);
        p.Spec.Volumes = [new V1Volume { Name = "data", PersistentVolumeClaim = new V1PersistentVolumeClaimVolumeSource { ClaimName = claim } }];
        return p;
    }

    /// <summary>Runs the catalogue's persistentvolume-binder in a manager of its own against the harness's server.</summary>
    private static async Task<RunningManager> PvControllerAsync(SchedulerHarness h)
    {
        var rest = new RestClient(h.Config);
        var manager = new Manager(new Clientset(rest), new ManagerOptions());
        var context = new ControllerContext { Manager = manager, Dynamic = new DynamicClient(rest), Discovery = new DiscoveryClient(rest) };
        BuiltInControllers.All.Single(c => c.Name == "persistentvolume-binder").Register(context);
        var stop = new CancellationTokenSource();
        var run = manager.RunAsync(stop.Token);
        await Task.WhenAny(manager.Elected, run).WaitAsync(TimeSpan.FromSeconds(30));
        if (run.IsFaulted)
        {
            await run;
        }

        return new RunningManager(stop, run, rest);
    }

    private sealed class RunningManager(CancellationTokenSource stop, Task run, RestClient rest) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
            }

            stop.Dispose();
            rest.Dispose();
        }
    }
}
