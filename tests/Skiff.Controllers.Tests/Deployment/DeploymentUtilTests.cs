using k8s.Models;
using Skiff.Controllers.Deployment;
using Xunit;

namespace Skiff.Controllers.Tests.Deployment;

public sealed class DeploymentUtilTests
{
    // Upstream's TestResolveFenceposts (deployment_util_test.go).
    [Theory]
    [InlineData("0%", "0%", 0, 0, 1)]
    [InlineData("39%", "39%", 10, 4, 3)]
    [InlineData(null, "39%", 10, 0, 3)]
    [InlineData("39%", null, 10, 4, 0)]
    [InlineData(null, null, 10, 0, 1)]
    public void ResolveFenceposts_UpstreamTable(string? maxSurge, string? maxUnavailable, int desired, int surge, int unavailable)
    {
        var result = DeploymentUtil.ResolveFenceposts(maxSurge is null ? null : (IntOrString)maxSurge, maxUnavailable is null ? null : (IntOrString)maxUnavailable, desired);
        Assert.Equal((surge, unavailable), result);
    }

    [Theory]
    [InlineData("oops", "39%")]
    [InlineData("55%", "urg")]
    public void ResolveFenceposts_NotAPercentage_Throws(string maxSurge, string maxUnavailable) =>
        Assert.Throws<FormatException>(() => DeploymentUtil.ResolveFenceposts((IntOrString)maxSurge, (IntOrString)maxUnavailable, 10));

    // Upstream's TestMaxUnavailable.
    [Theory]
    [InlineData(10, "5", 5)]
    [InlineData(10, "10", 10)]
    [InlineData(5, "10", 5)]
    [InlineData(0, "10", 0)]
    [InlineData(10, "50%", 5)]
    [InlineData(10, "100%", 10)]
    [InlineData(5, "100%", 5)]
    public void MaxUnavailable_UpstreamTable(int replicas, string maxUnavailable, int expected) =>
        Assert.Equal(expected, DeploymentUtil.MaxUnavailable(Rolling(replicas, "1", maxUnavailable)));

    [Fact]
    public void MaxUnavailableAndSurge_Recreate_AreZero()
    {
        var d = Rolling(10, "1", "5");
        d.Spec.Strategy = new V1DeploymentStrategy { Type = "Recreate" };
        Assert.Equal(0, DeploymentUtil.MaxUnavailable(d));
        Assert.Equal(0, DeploymentUtil.MaxSurge(d));
    }

    [Theory]
    [InlineData(10, "25%", "25%", 3, 2)] // the defaults: surge rounds up, unavailable down
    [InlineData(1, "25%", "25%", 1, 0)]
    [InlineData(3, "0", "50%", 0, 1)]
    public void Rounding_SurgeUp_UnavailableDown(int replicas, string maxSurge, string maxUnavailable, int surge, int unavailable)
    {
        var d = Rolling(replicas, maxSurge, maxUnavailable);
        Assert.Equal(surge, DeploymentUtil.MaxSurge(d));
        Assert.Equal(unavailable, DeploymentUtil.MaxUnavailable(d));
    }

    [Theory]
    [InlineData(10, 10, 0, 3)] // old 10 of 10: the new one may surge by 3 (25% rounded up)
    [InlineData(10, 8, 3, 5)] // 11 of 13 allowed: +2
    [InlineData(10, 13, 0, 0)] // at the surge limit: unchanged
    [InlineData(10, 0, 9, 10)] // never past the Deployment's replicas
    public void NewRSNewReplicas_RollingUpdate(int replicas, int oldReplicas, int newReplicas, int expected)
    {
        var d = Rolling(replicas, "25%", "25%");
        var old = RS("old", oldReplicas);
        var current = RS("new", newReplicas);
        Assert.Equal(expected, DeploymentUtil.NewRSNewReplicas(d, [old, current], current));
    }

    [Fact]
    public void GetProportion_SplitsByAnnotatedShare()
    {
        // Scaling a 10-replica Deployment (surge 3) mid-rollout to 20: an RS holding 6 of the 13 gets round(6 * 25 / 13) - 6 = 6.
        var d = Rolling(20, "25%", "25%");
        var rs = RS("a", 6);
        rs.Metadata.Annotations = new Dictionary<string, string> { [DeploymentAnnotations.MaxReplicas] = "13" };
        Assert.Equal(6, DeploymentUtil.GetProportion(rs, d, 12, 0));
        Assert.Equal(2, DeploymentUtil.GetProportion(rs, d, 12, 10));
        Assert.Equal(0, DeploymentUtil.GetProportion(RS("empty", 0), d, 12, 0));
    }

    [Fact]
    public void Fnv32a_KnownVectors()
    {
        Assert.Equal(0x811c9dc5u, Fnv32a.Add(Fnv32a.Offset, []));
        Assert.Equal(0xe40c292cu, Fnv32a.Add(Fnv32a.Offset, "a"u8));
        Assert.Equal(0xbf9cf968u, Fnv32a.Add(Fnv32a.Offset, "foobar"u8));
    }

    [Fact]
    public void SafeEncode_MapsEveryByteToTheSafeAlphabet()
    {
        Assert.Equal("5678", PodTemplateHash.SafeEncode("1234"));
        Assert.Matches("^[bcdfghjklmnpqrstvwxz2456789]+$", PodTemplateHash.SafeEncode("3928474210"));
    }

    [Fact]
    public void Compute_StableForEqualTemplates_ChangesWithTemplateAndCollisionCount()
    {
        var a = Template("nginx:1", ("app", "web"), ("tier", "front"));
        var b = Template("nginx:1", ("tier", "front"), ("app", "web"));
        var hash = PodTemplateHash.Compute(a, null);
        Assert.Matches("^[bcdfghjklmnpqrstvwxz2456789]{1,10}$", hash);
        Assert.Equal(hash, PodTemplateHash.Compute(b, null));
        Assert.NotEqual(hash, PodTemplateHash.Compute(Template("nginx:2", ("app", "web"), ("tier", "front")), null));
        Assert.NotEqual(hash, PodTemplateHash.Compute(a, 1));
        Assert.NotEqual(PodTemplateHash.Compute(a, 1), PodTemplateHash.Compute(a, 2));
    }

    [Fact]
    public void EqualIgnoreHash_IgnoresOnlyTheHashLabel()
    {
        var a = Template("nginx:1", ("app", "web"));
        var b = Template("nginx:1", ("app", "web"), (PodTemplateHash.Label, "abc"));
        Assert.True(DeploymentUtil.EqualIgnoreHash(a, b));
        Assert.False(DeploymentUtil.EqualIgnoreHash(a, Template("nginx:2", ("app", "web"))));
        Assert.False(DeploymentUtil.EqualIgnoreHash(a, Template("nginx:1", ("app", "other"))));
    }

    [Fact]
    public void SetNewReplicaSetAnnotations_RollbackRecordsRevisionHistory()
    {
        var d = Rolling(3, "1", "1");
        d.Metadata.Annotations = new Dictionary<string, string> { ["team"] = "a", [DeploymentAnnotations.LastAppliedConfig] = "{}" };
        var rs = RS("web-1", 0);
        rs.Metadata.Annotations = new Dictionary<string, string> { [DeploymentAnnotations.RevisionKey] = "1" };
        Assert.True(DeploymentAnnotations.SetNewReplicaSetAnnotations(d, rs, "3", exists: true));
        Assert.Equal("3", rs.Metadata.Annotations[DeploymentAnnotations.RevisionKey]);
        Assert.Equal("1", rs.Metadata.Annotations[DeploymentAnnotations.RevisionHistory]);
        Assert.Equal("a", rs.Metadata.Annotations["team"]);
        Assert.False(rs.Metadata.Annotations.ContainsKey(DeploymentAnnotations.LastAppliedConfig));
        Assert.True(DeploymentAnnotations.SetNewReplicaSetAnnotations(d, rs, "5", exists: true));
        Assert.Equal("1,3", rs.Metadata.Annotations[DeploymentAnnotations.RevisionHistory]);
        Assert.False(DeploymentAnnotations.SetNewReplicaSetAnnotations(d, rs, "5", exists: true));
    }

    private static V1Deployment Rolling(int replicas, string maxSurge, string maxUnavailable) => new()
    {
        Metadata = new V1ObjectMeta { Name = "d", Generation = 1 },
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Strategy = new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = (IntOrString)maxSurge, MaxUnavailable = (IntOrString)maxUnavailable },
            },
        },
        Status = new V1DeploymentStatus(),
    };

    private static V1ReplicaSet RS(string name, int replicas) => new()
    {
        Metadata = new V1ObjectMeta { Name = name, Uid = name },
        Spec = new V1ReplicaSetSpec { Replicas = replicas },
        Status = new V1ReplicaSetStatus { Replicas = replicas },
    };

    private static V1PodTemplateSpec Template(string image, params (string Key, string Value)[] labels) => new()
    {
        Metadata = new V1ObjectMeta { Labels = labels.ToDictionary(l => l.Key, l => l.Value) },
        Spec = new V1PodSpec { Containers = [new V1Container { Name = "c", Image = image }] },
    };
}
