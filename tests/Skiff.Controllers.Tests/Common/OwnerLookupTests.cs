using k8s.Models;
using Skiff.Controllers.Common;
using Xunit;

namespace Skiff.Controllers.Tests.Common;

/// <summary>
/// The owner look-up the workload controllers share (upstream's <c>resolveControllerRef</c> and <c>getPodXs</c>): a
/// controller reference resolves only to an owner of the kind with the referenced uid; an orphan is matched by the
/// non-empty, valid selectors of its namespace's owners.
/// </summary>
public sealed class OwnerLookupTests
{
    private static readonly List<V1ReplicaSet> Sets =
    [
        Set("ns", "web", "uid-web", new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } }),
        Set("ns", "all", "uid-all", new V1LabelSelector()),
        Set("ns", "bad", "uid-bad", new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "app", OperatorProperty = "Sideways", Values = ["web"] }] }),
        Set("ns", "tier", "uid-tier", new V1LabelSelector { MatchExpressions = [new V1LabelSelectorRequirement { Key = "tier", OperatorProperty = "Exists" }] }),
        Set("other", "web", "uid-other-web", new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = "web" } }),
    ];

    private static readonly OwnerLookup<V1ReplicaSet> Lookup = new(
        "ReplicaSet",
        (ns, name) => Sets.SingleOrDefault(s => s.Metadata.NamespaceProperty == ns && s.Metadata.Name == name),
        ns => Sets.Where(s => s.Metadata.NamespaceProperty == ns),
        s => s.Spec.Selector);

    [Theory]
    [InlineData("ReplicaSet", "web", "uid-web", "web")]
    [InlineData("ReplicaSet", "web", "uid-stale", null)]
    [InlineData("Deployment", "web", "uid-web", null)]
    [InlineData("ReplicaSet", "missing", "uid-web", null)]
    public void Resolve_NeedsTheKindNameAndUid(string kind, string name, string uid, string? expected)
    {
        var owner = Lookup.Resolve("ns", new V1OwnerReference { Kind = kind, Name = name, Uid = uid, ApiVersion = "apps/v1", Controller = true });

        Assert.Equal(expected, owner?.Metadata.Name);
    }

    [Fact]
    public void Selecting_MatchesNonEmptyValidSelectorsOfTheNamespace()
    {
        var child = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Labels = new Dictionary<string, string> { ["app"] = "web", ["tier"] = "front" } };

        Assert.Equal(["web", "tier"], Lookup.Selecting(child).Select(s => s.Metadata.Name));
    }

    [Fact]
    public void Selecting_AChildWithoutLabels_MatchesNothing()
    {
        Assert.Empty(Lookup.Selecting(new V1ObjectMeta { Name = "p", NamespaceProperty = "ns" }));
        Assert.Empty(Lookup.Selecting(new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Labels = new Dictionary<string, string>() }));
    }

    private static V1ReplicaSet Set(string ns, string name, string uid, V1LabelSelector selector) => new()
    {
        Metadata = new V1ObjectMeta { NamespaceProperty = ns, Name = name, Uid = uid },
        Spec = new V1ReplicaSetSpec { Selector = selector },
    };
}
