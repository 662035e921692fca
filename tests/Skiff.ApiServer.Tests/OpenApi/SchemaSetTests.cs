using Xunit;
using System.Text.Json.Nodes;
using Skiff.ApiServer.OpenApi;

namespace Skiff.ApiServer.Tests.OpenApi;

public class SchemaSetTests
{
    private static readonly SchemaSet BuiltIns = new(BuiltInSchemas.All);

    [Theory]
    [InlineData("", "v1", "Pod", "io.k8s.api.core.v1.Pod")]
    [InlineData("", "v1", "PodList", "io.k8s.api.core.v1.PodList")]
    [InlineData("apps", "v1", "Deployment", "io.k8s.api.apps.v1.Deployment")]
    [InlineData("autoscaling", "v1", "Scale", "io.k8s.api.autoscaling.v1.Scale")]
    [InlineData("autoscaling", "v2", "HorizontalPodAutoscaler", "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler")]
    [InlineData("events.k8s.io", "v1", "Event", "io.k8s.api.events.v1.Event")]
    [InlineData("", "v1", "Event", "io.k8s.api.core.v1.Event")]
    [InlineData("rbac.authorization.k8s.io", "v1", "ClusterRole", "io.k8s.api.rbac.v1.ClusterRole")]
    [InlineData("policy", "v1", "Eviction", "io.k8s.api.policy.v1.Eviction")]
    [InlineData("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition")]
    [InlineData("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "io.k8s.api.authorization.v1.SelfSubjectAccessReview")]
    [InlineData("", "v1", "Status", "io.k8s.apimachinery.pkg.apis.meta.v1.Status")]
    [InlineData("apps", "v1", "DeleteOptions", "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions")]
    public void NameOf_BuiltInKind_IsUpstreamSchemaName(string group, string version, string kind, string expected)
    {
        Assert.Equal(expected, BuiltIns.NameOf(group, version, kind));
    }

    [Fact]
    public void NameOf_UnservedVersion_IsNull()
    {
        Assert.Null(BuiltIns.NameOf("batch", "v1beta1", "CronJob"));
        Assert.Null(BuiltIns.NameOf("resource.k8s.io", "v1", "ResourceClaim"));
    }

    [Fact]
    public void Schemas_WellKnownApimachineryTypes_HaveUpstreamShapes()
    {
        var s = BuiltIns.Schemas;
        Assert.Equal("int-or-string", (string?)s["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["format"]);
        Assert.Equal(2, s["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["oneOf"]!.AsArray().Count);
        Assert.NotNull(s["io.k8s.apimachinery.pkg.api.resource.Quantity"]["oneOf"]);
        Assert.Equal("date-time", (string?)s["io.k8s.apimachinery.pkg.apis.meta.v1.Time"]["format"]);
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time",
            (string?)s["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"]!["creationTimestamp"]!["$ref"]);
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime",
            (string?)s["io.k8s.api.coordination.v1.LeaseSpec"]["properties"]!["renewTime"]!["$ref"]);
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.runtime.RawExtension",
            (string?)s["io.k8s.api.apps.v1.ControllerRevision"]["properties"]!["data"]!["$ref"]);
        Assert.Equal("byte", (string?)s["io.k8s.api.core.v1.Secret"]["properties"]!["data"]!["additionalProperties"]!["format"]);
    }

    [Fact]
    public void Schemas_PodSpec_HasDescriptionsRequiredAndPatchFacts()
    {
        var spec = BuiltIns.Schemas["io.k8s.api.core.v1.PodSpec"];
        var containers = spec["properties"]!["containers"]!;
        Assert.Contains("List of containers belonging to the pod", (string?)containers["description"]);
        Assert.Equal("name", (string?)containers["x-kubernetes-patch-merge-key"]);
        Assert.Equal("merge", (string?)containers["x-kubernetes-patch-strategy"]);
        Assert.Equal("map", (string?)containers["x-kubernetes-list-type"]);
        Assert.Equal("merge,retainKeys", (string?)spec["properties"]!["volumes"]!["x-kubernetes-patch-strategy"]);
        Assert.Contains("containers", spec["required"]!.AsArray().Select(n => (string?)n));
        Assert.Equal("atomic", (string?)BuiltIns.Schemas["io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector"]["x-kubernetes-map-type"]);
    }

    [Fact]
    public void Schemas_FieldsNewerThan132_AreNotServed()
    {
        // KubernetesClient's models are newer than 1.32; the generator keeps only 1.32's fields.
        var podSpec = BuiltIns.Schemas["io.k8s.api.core.v1.PodSpec"]["properties"]!.AsObject();
        Assert.False(podSpec.ContainsKey("hostnameOverride"));
        Assert.True(podSpec.ContainsKey("schedulingGates"));
    }

    [Fact]
    public void Schemas_EveryReference_Resolves()
    {
        var missing = new List<string>();
        foreach (var (name, schema) in BuiltIns.Schemas)
        {
            CollectRefs(schema, r =>
            {
                if (!BuiltIns.Schemas.ContainsKey(r["#/components/schemas/".Length..]))
                {
                    missing.Add($"{name} → {r}");
                }
            });
        }

        Assert.Empty(missing);
    }

    internal static void CollectRefs(JsonNode? node, Action<string> onRef)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    if (k == "$ref" && v is JsonValue)
                    {
                        onRef(v!.GetValue<string>());
                    }
                    else
                    {
                        CollectRefs(v, onRef);
                    }
                }

                break;
            case JsonArray a:
                foreach (var i in a)
                {
                    CollectRefs(i, onRef);
                }

                break;
        }
    }
}
