using k8s.Models;
using Skiff.Controllers.Tests.Testing;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.Controllers.Tests.ClusterRoleAggregation;

/// <summary>The clusterrole-aggregation controller, running as system:kube-controller-manager.</summary>
public sealed class ClusterRoleAggregationControllerTests
{
    [Fact]
    public async Task AggregatedRole_GetsTheRulesOfMatchingRoles_AndFollowsTheirChanges()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["clusterrole-aggregation"]));
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var label = "example.com/aggregate-to-monitoring-" + suffix;
        await h.Kubectl.OkAsync("create", "clusterrole", "agg-" + suffix, $"--aggregation-rule={label}=true");
        await h.Kubectl.OkAsync("create", "clusterrole", "src-a-" + suffix, "--verb=get,list", "--resource=pods");
        await h.Kubectl.OkAsync("label", "clusterrole", "src-a-" + suffix, $"{label}=true");
        await h.Kubectl.OkAsync("create", "clusterrole", "src-b-" + suffix, "--verb=get", "--resource=services");
        await h.Kubectl.OkAsync("label", "clusterrole", "src-b-" + suffix, $"{label}=true");
        await h.Kubectl.OkAsync("create", "clusterrole", "unlabelled-" + suffix, "--verb=*", "--resource=secrets");

        var roles = h.Clientset.Resource<V1ClusterRole, V1ClusterRoleList>();
        bool Has(IReadOnlyList<V1ClusterRole> l, params string[] resources) =>
            l.SingleOrDefault(r => r.Metadata.Name == "agg-" + suffix)?.Rules is { } rules
            && rules.SelectMany(r => r.Resources ?? []).Order().SequenceEqual(resources.Order());
        await ListWatch.UntilAsync(roles, l => Has(l, "pods", "services"));

        // A source role loses its label: its rules leave the aggregate.
        await h.Kubectl.OkAsync("label", "clusterrole", "src-b-" + suffix, $"{label}-");
        await ListWatch.UntilAsync(roles, l => Has(l, "pods"));

        // The bootstrap view role aggregates system:aggregate-to-view, which the controller keeps in place.
        var view = await roles.GetAsync("view");
        var fromAggregateToView = (await roles.GetAsync("system:aggregate-to-view")).Rules.Count;
        Assert.True(view.Rules.Count >= fromAggregateToView);
    }
}
