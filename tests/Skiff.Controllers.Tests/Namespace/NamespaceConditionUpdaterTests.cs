using k8s.Models;
using Skiff.Controllers.Namespace;
using Xunit;

namespace Skiff.Controllers.Tests.Namespace;

public sealed class NamespaceConditionUpdaterTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Update_NoFailures_AllFiveFalseWithUpstreamOkReasons()
    {
        var status = new V1NamespaceStatus();
        Assert.True(new NamespaceConditionUpdater(T0).Update(status));
        Assert.Equal(
        [
            ("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered", "All resources successfully discovered"),
            ("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions", "All legacy kube types successfully parsed"),
            ("NamespaceDeletionContentFailure", "False", "ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
            ("NamespaceContentRemaining", "False", "ContentRemoved", "All content successfully removed"),
            ("NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers", "All content-preserving finalizers finished"),
        ], status.Conditions.Select(c => (c.Type, c.Status, c.Reason, c.Message)));
    }

    [Fact]
    public void Update_Failures_UpstreamMessages_SortedAndCounted()
    {
        var u = new NamespaceConditionUpdater(T0);
        u.DiscoveryError("boom");
        u.DeleteContentError("b failed");
        u.DeleteContentError("a failed");
        u.ContentTotals(
            new Dictionary<(string, string), int> { [("pods", "")] = 2, [("deployments", "apps")] = 1 },
            new Dictionary<string, int> { ["z.io/x"] = 1, ["a.io/y"] = 3 });
        var status = new V1NamespaceStatus();
        u.Update(status);

        Assert.Equal(("True", "DiscoveryFailed", "boom"), Get(status, "NamespaceDeletionDiscoveryFailure"));
        Assert.Equal(("True", "ContentDeletionFailed", "Failed to delete all resource types, 2 remaining: a failed, b failed"),
            Get(status, "NamespaceDeletionContentFailure"));
        Assert.Equal(("True", "SomeResourcesRemain", "Some resources are remaining: deployments.apps has 1 resource instances, pods. has 2 resource instances"),
            Get(status, "NamespaceContentRemaining"));
        Assert.Equal(("True", "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: a.io/y in 3 resource instances, z.io/x in 1 resource instances"),
            Get(status, "NamespaceFinalizersRemaining"));
    }

    [Fact]
    public void Update_Unchanged_KeepsTransitionTime_Changed_MovesIt()
    {
        var status = new V1NamespaceStatus();
        new NamespaceConditionUpdater(T0).Update(status);
        Assert.False(new NamespaceConditionUpdater(T0.AddMinutes(1)).Update(status));
        Assert.All(status.Conditions, c => Assert.Equal(T0, c.LastTransitionTime));

        var later = new NamespaceConditionUpdater(T0.AddMinutes(2));
        later.DiscoveryError("boom");
        Assert.True(later.Update(status));
        Assert.Equal(T0.AddMinutes(2), status.Conditions.Single(c => c.Type == "NamespaceDeletionDiscoveryFailure").LastTransitionTime);
        Assert.Equal(T0, status.Conditions.Single(c => c.Type == "NamespaceContentRemaining").LastTransitionTime);
    }

    private static (string, string, string) Get(V1NamespaceStatus s, string type)
    {
        var c = s.Conditions.Single(c => c.Type == type);
        return (c.Status, c.Reason, c.Message);
    }
}
