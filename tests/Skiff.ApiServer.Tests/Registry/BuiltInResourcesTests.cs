using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry;

public class BuiltInResourcesTests
{
    private static readonly IReadOnlyList<ResourceDescriptor> All = BuiltInResources.Create(new BuiltInResourceOptions());

    private static ResourceDescriptor Get(string group, string resource) => All.Single(d => d.Group == group && d.Resource == resource);

    [Fact]
    public void Create_EveryGroupResourceOnce()
    {
        Assert.Equal(All.Count, All.Select(d => (d.Group, d.Version, d.Resource)).Distinct().Count());
        Assert.All(All, d => Assert.Equal(d.Resource, d.Resource.ToLowerInvariant()));
    }

    [Theory]
    [InlineData("", "pods", "Pod", true, "po", "all")]
    [InlineData("", "services", "Service", true, "svc", "all")]
    [InlineData("", "namespaces", "Namespace", false, "ns", null)]
    [InlineData("", "nodes", "Node", false, "no", null)]
    [InlineData("", "configmaps", "ConfigMap", true, "cm", null)]
    [InlineData("", "endpoints", "Endpoints", true, "ep", null)]
    [InlineData("", "persistentvolumeclaims", "PersistentVolumeClaim", true, "pvc", null)]
    [InlineData("", "replicationcontrollers", "ReplicationController", true, "rc", "all")]
    [InlineData("apps", "deployments", "Deployment", true, "deploy", "all")]
    [InlineData("apps", "statefulsets", "StatefulSet", true, "sts", "all")]
    [InlineData("batch", "cronjobs", "CronJob", true, "cj", "all")]
    [InlineData("batch", "jobs", "Job", true, null, "all")]
    [InlineData("policy", "poddisruptionbudgets", "PodDisruptionBudget", true, "pdb", null)]
    [InlineData("scheduling.k8s.io", "priorityclasses", "PriorityClass", false, "pc", null)]
    [InlineData("rbac.authorization.k8s.io", "clusterroles", "ClusterRole", false, null, null)]
    [InlineData("flowcontrol.apiserver.k8s.io", "flowschemas", "FlowSchema", false, null, null)]
    [InlineData("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", "PriorityLevelConfiguration", false, null, null)]
    [InlineData("apiextensions.k8s.io", "customresourcedefinitions", "CustomResourceDefinition", false, "crd", "api-extensions")]
    public void Create_DiscoveryFacts_MatchUpstream(string group, string resource, string kind, bool namespaced, string? shortName, string? category)
    {
        var d = Get(group, resource);
        Assert.Equal(kind, d.Kind);
        Assert.Equal(namespaced, d.Namespaced);
        Assert.Equal(kind.ToLowerInvariant(), d.SingularName);
        if (shortName is null)
        {
            Assert.Empty(d.ShortNames);
        }
        else
        {
            Assert.Equal(shortName, d.ShortNames[0]);
        }

        if (category is null)
        {
            Assert.Empty(d.Categories);
        }
        else
        {
            Assert.Equal([category], d.Categories);
        }
    }

    [Fact]
    public void Create_PodSubresources_MatchUpstream132()
    {
        var pods = Get("", "pods");
        Assert.Equal(["attach", "binding", "ephemeralcontainers", "eviction", "exec", "log", "portforward", "proxy", "status"], pods.Subresources.Select(s => s.Name));
        var eviction = pods.Subresources.Single(s => s.Name == "eviction");
        Assert.Equal(("policy", "v1", "Eviction"), (eviction.Group, eviction.Version, eviction.Kind));
        Assert.Equal(["create"], eviction.Verbs);
        Assert.Equal(["get"], pods.Subresources.Single(s => s.Name == "log").Verbs);
        Assert.Equal("PodExecOptions", pods.Subresources.Single(s => s.Name == "exec").Kind);
    }

    [Theory]
    [InlineData("apps", "deployments")]
    [InlineData("apps", "replicasets")]
    [InlineData("apps", "statefulsets")]
    [InlineData("", "replicationcontrollers")]
    public void Create_ScaleSubresource_IsAutoscalingV1Scale(string group, string resource)
    {
        var scale = Get(group, resource).Subresources.Single(s => s.Name == "scale");
        Assert.Equal(("autoscaling", "v1", "Scale"), (scale.Group, scale.Version, scale.Kind));
        Assert.Equal(["get", "patch", "update"], scale.Verbs);
    }

    [Fact]
    public void Create_SpecialVerbs_MatchUpstream()
    {
        Assert.DoesNotContain("deletecollection", Get("", "namespaces").Verbs);
        Assert.Equal(["create"], Get("", "bindings").Verbs);
        Assert.Equal(["get", "list"], Get("", "componentstatuses").Verbs);
        Assert.Equal(["update"], Get("", "namespaces").Subresources.Single(s => s.Name == "finalize").Verbs);
        var token = Get("", "serviceaccounts").Subresources.Single(s => s.Name == "token");
        Assert.Equal(("authentication.k8s.io", "v1", "TokenRequest"), (token.Group, token.Version, token.Kind));
    }

    [Fact]
    public void Create_StatusSubresource_IffStrategyHasStatus()
    {
        foreach (var d in All)
        {
            var listed = d.Subresources.Any(s => s.Name == "status");
            Assert.True(listed == d.Strategy.HasStatusSubresource, $"{d.Resource}: status subresource {listed}, strategy {d.Strategy.HasStatusSubresource}");
        }
    }

    [Fact]
    public void Tables_EveryType_CellsMatchColumnsAndNameColumnExists()
    {
        var now = DateTimeOffset.Parse("2025-01-02T00:00:00Z");
        foreach (var d in All)
        {
            var obj = new JsonObject
            {
                ["apiVersion"] = d.GroupVersion,
                ["kind"] = d.Kind,
                ["metadata"] = new JsonObject { ["name"] = "x", ["creationTimestamp"] = "2025-01-01T00:00:00Z" },
            };
            var table = d.Strategy.Table;
            var cells = table.Cells(obj, now);
            Assert.True(table.Columns.Count == cells.Count, $"{d.Resource}: {table.Columns.Count} columns, {cells.Count} cells");
            Assert.Contains(table.Columns, c => c.Format == "name");
            Assert.All(cells, c => Assert.True(c is null or string or long or int or double or bool, $"{d.Resource}: cell type {c?.GetType()}"));
        }
    }

    [Fact]
    public void Tables_RolesUseDefaultConvertor_BindingsHaveRoleColumn()
    {
        Assert.Same(TableDefinition.Default, Get("rbac.authorization.k8s.io", "roles").Strategy.Table);
        Assert.Equal(["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"], Get("rbac.authorization.k8s.io", "rolebindings").Strategy.Table.Columns.Select(c => c.Name));
    }

    [Theory]
    [InlineData("", "pods", "spec.nodeName")]
    [InlineData("", "pods", "status.phase")]
    [InlineData("", "events", "involvedObject.uid")]
    [InlineData("", "secrets", "type")]
    [InlineData("", "namespaces", "status.phase")]
    [InlineData("", "nodes", "spec.unschedulable")]
    [InlineData("apps", "replicasets", "status.replicas")]
    [InlineData("", "replicationcontrollers", "status.replicas")]
    [InlineData("batch", "jobs", "status.successful")]
    public void SelectableFields_UpstreamSets(string group, string resource, string field)
    {
        Assert.Contains(field, Get(group, resource).Strategy.SelectableFields.Keys);
    }

    [Fact]
    public void SelectableFields_ReadValuesWithDefaults()
    {
        var pod = (JsonObject)JsonNode.Parse("""{"spec":{"nodeName":"n1"},"status":{"phase":"Running","podIPs":[{"ip":"10.1.0.4"}]}}""")!;
        var fields = Get("", "pods").Strategy.SelectableFields;
        Assert.Equal("n1", fields["spec.nodeName"](pod));
        Assert.Equal("false", fields["spec.hostNetwork"](pod));
        Assert.Equal("10.1.0.4", fields["status.podIP"](pod));
        Assert.Equal("0", Get("batch", "jobs").Strategy.SelectableFields["status.successful"](new JsonObject()));
    }

    [Fact]
    public void KubernetesServiceIp_FirstAddressOfRange()
    {
        Assert.Equal("10.0.0.1", BuiltInResources.KubernetesServiceIp(new BuiltInResourceOptions()));
        Assert.Equal("10.96.0.1", BuiltInResources.KubernetesServiceIp(new BuiltInResourceOptions { ServiceClusterIpRange = "10.96.0.0/12" }));
    }
}
