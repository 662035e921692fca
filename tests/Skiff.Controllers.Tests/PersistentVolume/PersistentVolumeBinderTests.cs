using k8s.Models;
using Skiff.Controllers.PersistentVolume;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.PersistentVolume;

public sealed class PersistentVolumeBinderTests
{
    private static IEnumerable<ControllerDescriptor> Controllers => BuiltInControllers.Select(["persistentvolume-binder"]);

    [Fact]
    public async Task StaticVolumes_ClaimBindsTheSmallestFit_ReleasedWhenTheClaimGoes()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        var ns = await h.NamespaceAsync();
        var cls = "manual-" + ns;
        var pvs = h.Clientset.CoreV1().PersistentVolumes();
        foreach (var (name, size, modes) in new[] { ("small", "1Gi", "ReadWriteOnce"), ("mid", "5Gi", "ReadWriteOnce"), ("big", "10Gi", "ReadWriteOnce"), ("rox", "4Gi", "ReadOnlyMany") })
        {
            await pvs.CreateAsync(Volume($"{ns}-{name}", size, cls, modes));
        }

        await ListWatch.UntilAsync(pvs, l => l.Count(v => v.Metadata.Name.StartsWith(ns, StringComparison.Ordinal) && v.Status?.Phase == "Available") == 4);
        var claims = h.Clientset.CoreV1().PersistentVolumeClaims(ns);
        await claims.CreateAsync(new V1PersistentVolumeClaim
        {
            Metadata = new() { Name = "data" },
            Spec = new()
            {
                StorageClassName = cls,
                AccessModes = ["ReadWriteOnce"],
                Resources = new() { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("3Gi") } },
            },
        });

        var claim = (await ListWatch.UntilAsync(claims, l => l.Single().Status?.Phase == "Bound"))[0];
        Assert.Equal($"{ns}-mid", claim.Spec.VolumeName);
        Assert.Equal("yes", claim.Metadata.Annotations[VolumeHelpers.AnnBindCompleted]);
        Assert.Equal("yes", claim.Metadata.Annotations[VolumeHelpers.AnnBoundByController]);
        Assert.Equal("5Gi", claim.Status.Capacity["storage"].ToString());
        Assert.Equal(["ReadWriteOnce"], claim.Status.AccessModes);
        var volume = (await ListWatch.UntilAsync(pvs, l => l.Single(v => v.Metadata.Name == $"{ns}-mid").Status?.Phase == "Bound"))
            .Single(v => v.Metadata.Name == $"{ns}-mid");
        Assert.Equal((claim.Metadata.Name, ns, claim.Metadata.Uid), (volume.Spec.ClaimRef.Name, volume.Spec.ClaimRef.NamespaceProperty, volume.Spec.ClaimRef.Uid));
        Assert.Equal("yes", volume.Metadata.Annotations[VolumeHelpers.AnnBoundByController]);

        // The PV's default reclaim policy is Retain: deleting the claim leaves it Released, still pointing at the claim.
        await claims.DeleteAsync("data");
        volume = (await ListWatch.UntilAsync(pvs, l => l.Single(v => v.Metadata.Name == $"{ns}-mid").Status?.Phase == "Released"))
            .Single(v => v.Metadata.Name == $"{ns}-mid");
        Assert.Equal(claim.Metadata.Uid, volume.Spec.ClaimRef.Uid);
        var others = (await pvs.ListAsync()).Items.Where(v => v.Metadata.Name.StartsWith(ns, StringComparison.Ordinal) && v.Metadata.Name != $"{ns}-mid");
        Assert.All(others, v => Assert.Equal("Available", v.Status?.Phase));
    }

    [Fact]
    public async Task ClaimWithNoFit_StaysPending_WithAnEvent()
    {
        await using var h = await ControllerHarness.StartAsync(Controllers);
        var ns = await h.NamespaceAsync();
        var claims = h.Clientset.CoreV1().PersistentVolumeClaims(ns);
        await claims.CreateAsync(new V1PersistentVolumeClaim
        {
            Metadata = new() { Name = "lonely" },
            Spec = new()
            {
                StorageClassName = "",
                AccessModes = ["ReadWriteOnce"],
                Resources = new() { Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new("1Pi") } },
            },
        });
        await ListWatch.UntilAsync(claims, l => l.Single().Status?.Phase == "Pending");
        await ListWatch.UntilAsync(h.Clientset.CoreV1().Events(ns), l => l.Any(e => e.Reason == "FailedBinding" &&
            e.Message == "no persistent volumes available for this claim and no storage class is set"));
    }

    internal static V1PersistentVolume Volume(string name, string size, string cls, string mode) => new()
    {
        Metadata = new() { Name = name },
        Spec = new()
        {
            Capacity = new Dictionary<string, ResourceQuantity> { ["storage"] = new(size) },
            AccessModes = [mode],
            StorageClassName = cls,
            HostPath = new V1HostPathVolumeSource { Path = "/tmp/" + name },
        },
    };
}
