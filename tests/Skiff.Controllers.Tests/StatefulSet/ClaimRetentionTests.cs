using k8s.Models;
using Skiff.Controllers.StatefulSet;
using Xunit;

namespace Skiff.Controllers.Tests.StatefulSet;

public sealed class ClaimRetentionTests
{
    [Theory]
    [InlineData("Retain", "Retain", false, "")]
    [InlineData("Retain", "Retain", true, "")]
    [InlineData("Delete", "Retain", false, "StatefulSet")]
    [InlineData("Delete", "Retain", true, "StatefulSet")]
    [InlineData("Retain", "Delete", false, "")]
    [InlineData("Retain", "Delete", true, "Pod")]
    [InlineData("Delete", "Delete", false, "StatefulSet")]
    [InlineData("Delete", "Delete", true, "Pod")]
    public void UpdateOwnerRefs_FollowsThePolicy(string whenDeleted, string whenScaled, bool scaledDown, string owner)
    {
        var set = new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "web", Uid = "set-uid" },
            Spec = new V1StatefulSetSpec
            {
                Replicas = 2,
                PersistentVolumeClaimRetentionPolicy = new V1StatefulSetPersistentVolumeClaimRetentionPolicy { WhenDeleted = whenDeleted, WhenScaled = whenScaled },
            },
        };
        var pod = new V1Pod { Metadata = new V1ObjectMeta { Name = scaledDown ? "web-2" : "web-1", Uid = "pod-uid" } };

        // Start from the opposite owners, so every case must change something.
        var claim = new V1PersistentVolumeClaim
        {
            Metadata = new V1ObjectMeta
            {
                Name = "data-" + pod.Metadata.Name,
                OwnerReferences = owner switch
                {
                    "" => [new V1OwnerReference { Kind = "StatefulSet", Name = "web", Uid = "set-uid", ApiVersion = "apps/v1" }],
                    _ => [],
                },
            },
        };
        Assert.True(ClaimRetention.UpdateOwnerRefs(claim, set, pod));
        Assert.Equal(owner, string.Join(",", claim.Metadata.OwnerReferences.Select(r => r.Kind)));
        Assert.False(ClaimRetention.UpdateOwnerRefs(claim, set, pod));
    }

    [Fact]
    public void Naming_AndMembership()
    {
        var set = new V1StatefulSet
        {
            Metadata = new V1ObjectMeta { Name = "web", NamespaceProperty = "ns", Uid = "u" },
            Spec = new V1StatefulSetSpec
            {
                Replicas = 2,
                Ordinals = new V1StatefulSetOrdinals { Start = 3 },
                ServiceName = "svc",
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = new Dictionary<string, string> { ["app"] = "web" } },
                    Spec = new V1PodSpec { Volumes = [new V1Volume { Name = "data", EmptyDir = new V1EmptyDirVolumeSource() }] },
                },
                VolumeClaimTemplates = [new V1PersistentVolumeClaim { Metadata = new V1ObjectMeta { Name = "data" } }],
            },
        };
        var pod = StatefulSetUtil.NewPod(set, 4);
        Assert.Equal(("web-4", "web-4", "svc"), (pod.Metadata.Name, pod.Spec.Hostname, pod.Spec.Subdomain));
        Assert.Equal("4", pod.Metadata.Labels[StatefulSetUtil.PodIndexLabel]);
        Assert.Equal("data-web-4", Assert.Single(pod.Spec.Volumes).PersistentVolumeClaim.ClaimName);
        Assert.True(StatefulSetUtil.IdentityMatches(set, pod) && StatefulSetUtil.StorageMatches(set, pod) && StatefulSetUtil.InOrdinalRange(pod, set));
        Assert.False(StatefulSetUtil.InOrdinalRange(StatefulSetUtil.NewPod(set, 5), set));
        Assert.Equal(("web", 12), StatefulSetUtil.ParentAndOrdinal(new V1Pod { Metadata = new V1ObjectMeta { Name = "web-12" } }));
        Assert.Equal((null, -1), StatefulSetUtil.ParentAndOrdinal(new V1Pod { Metadata = new V1ObjectMeta { Name = "web" } }));
        Assert.False(StatefulSetUtil.IsMemberOf(set, new V1Pod { Metadata = new V1ObjectMeta { Name = "webx-1" } }));
        var claim = StatefulSetUtil.Claims(set, 3)["data"];
        Assert.Equal(("data-web-3", "ns", "web"), (claim.Metadata.Name, claim.Metadata.NamespaceProperty, claim.Metadata.Labels["app"]));
    }
}
