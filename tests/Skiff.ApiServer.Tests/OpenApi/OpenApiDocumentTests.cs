using Xunit;
using System.Text.Json.Nodes;
using Skiff.ApiServer.OpenApi;

namespace Skiff.ApiServer.Tests.OpenApi;

public class OpenApiDocumentTests
{
    private static readonly OpenApiService Service = TestResources.Service();

    private static JsonObject Doc(string path) => JsonNode.Parse(Service.Document(path)!.Json.Span)!.AsObject();

    private static IEnumerable<(string Path, string Method, JsonObject Op)> Operations(JsonObject doc) =>
        doc["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()
            .Where(m => m.Key != "parameters")
            .Select(m => (p.Key, m.Key, m.Value!.AsObject())));

    private static bool IsGvk(JsonNode? node, string group, string version, string kind) =>
        node is JsonObject o && (string?)o["group"] == group && (string?)o["version"] == version && (string?)o["kind"] == kind;

    [Fact]
    public void Document_EveryDescriptor_HasPatchWithGvkFieldValidationAndPatchTypes()
    {
        foreach (var r in TestResources.All)
        {
            var doc = Doc(OpenApiDocumentBuilder.DocumentPath(r.Group, r.Version));
            Assert.Equal("3.0.0", (string?)doc["openapi"]);
            if (!r.Verbs.Contains("patch"))
            {
                // Create-only kinds have no PATCH operation (as upstream): kubectl validates them client-side (v2).
                Assert.DoesNotContain(Operations(doc), o => o.Method == "patch" && IsGvk(o.Op["x-kubernetes-group-version-kind"], r.Group, r.Version, r.Kind));
                continue;
            }

            var patches = Operations(doc).Where(o => o.Method == "patch" && IsGvk(o.Op["x-kubernetes-group-version-kind"], r.Group, r.Version, r.Kind)).ToList();
            Assert.NotEmpty(patches);
            foreach (var (path, _, op) in patches)
            {
                var names = op["parameters"]!.AsArray().Select(p => (string?)p!["name"]).ToList();
                Assert.Contains("fieldValidation", names);
                Assert.Contains("dryRun", names);
                Assert.Contains("fieldManager", names);
                var content = op["requestBody"]!["content"]!.AsObject();
                foreach (var type in new[] { "application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml" })
                {
                    Assert.True(content.ContainsKey(type), $"{path} lacks {type}");
                }

                // Strategic merge patch exists for built-in kinds only (upstream refuses it for custom resources).
                Assert.Equal(!r.Custom, content.ContainsKey("application/strategic-merge-patch+json"));

                Assert.Equal("patch", (string?)op["x-kubernetes-action"]);
            }
        }
    }

    [Fact]
    public void Document_EveryDescriptor_HasGvkTaggedKindSchema()
    {
        foreach (var r in TestResources.All)
        {
            var schemas = Doc(OpenApiDocumentBuilder.DocumentPath(r.Group, r.Version))["components"]!["schemas"]!.AsObject();
            Assert.Contains(schemas, s => s.Value!["x-kubernetes-group-version-kind"] is JsonArray a && a.Any(g => IsGvk(g, r.Group, r.Version, r.Kind)));
            if (r.Verbs.Contains("list"))
            {
                Assert.Contains(schemas, s => s.Value!["x-kubernetes-group-version-kind"] is JsonArray a && a.Any(g => IsGvk(g, r.Group, r.Version, r.ListKind)));
            }
        }
    }

    [Fact]
    public void Document_Components_AreClosedUnderReferences()
    {
        foreach (var path in new[] { "api/v1", "apis/apps/v1", "apis/apiextensions.k8s.io/v1", "apis/stable.example.com/v1" })
        {
            var doc = Doc(path);
            var schemas = doc["components"]!["schemas"]!.AsObject();
            var dangling = new List<string>();
            SchemaSetTests.CollectRefs(doc, r =>
            {
                if (!schemas.ContainsKey(r["#/components/schemas/".Length..]))
                {
                    dangling.Add(r);
                }
            });
            Assert.Empty(dangling);
        }
    }

    [Fact]
    public void Document_AppsV1_HasScaleSubresourceWithAutoscalingGvkAndAllOperations()
    {
        var doc = Doc("apis/apps/v1");
        var paths = doc["paths"]!.AsObject();
        var item = paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]!.AsObject();
        Assert.Equal(["delete", "get", "parameters", "patch", "put"], item.Select(p => p.Key));
        Assert.Equal("post", (string?)paths["/apis/apps/v1/namespaces/{namespace}/deployments"]!["post"]!["x-kubernetes-action"]);
        Assert.Equal("createAppsV1NamespacedDeployment", (string?)paths["/apis/apps/v1/namespaces/{namespace}/deployments"]!["post"]!["operationId"]);
        Assert.Equal("deletecollection", (string?)paths["/apis/apps/v1/namespaces/{namespace}/deployments"]!["delete"]!["x-kubernetes-action"]);
        Assert.Equal("listAppsV1DeploymentForAllNamespaces", (string?)paths["/apis/apps/v1/deployments"]!["get"]!["operationId"]);
        var scale = paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]!["patch"]!;
        Assert.True(IsGvk(scale["x-kubernetes-group-version-kind"], "autoscaling", "v1", "Scale"));
        Assert.True(doc["components"]!["schemas"]!.AsObject().ContainsKey("io.k8s.api.autoscaling.v1.Scale"));
    }

    [Fact]
    public void Document_ClusterScopedNamespaces_HasNoNamespaceParameterOrDeleteCollection()
    {
        var paths = Doc("api/v1")["paths"]!.AsObject();
        var coll = paths["/api/v1/namespaces"]!.AsObject();
        Assert.False(coll.ContainsKey("delete"));
        Assert.DoesNotContain(coll["parameters"]!.AsArray(), p => (string?)p!["name"] == "namespace");
        Assert.True(paths.ContainsKey("/api/v1/namespaces/{namespace}/pods/{name}/status"));
        Assert.True(paths.ContainsKey("/api/v1/namespaces/{namespace}/pods/{name}/eviction"));
        Assert.Equal("connect", (string?)paths["/api/v1/namespaces/{namespace}/pods/{name}/exec"]!["get"]!["x-kubernetes-action"]);
    }

    [Fact]
    public void Root_ListsEveryGroupVersion_WithTheDocumentHash()
    {
        var root = JsonNode.Parse(Service.Root().Json.Span)!["paths"]!.AsObject();
        Assert.Equal(["api/v1", "apis/apiextensions.k8s.io/v1", "apis/apps/v1", "apis/authorization.k8s.io/v1", "apis/coordination.k8s.io/v1", "apis/stable.example.com/v1"], root.Select(p => p.Key));
        foreach (var (path, entry) in root)
        {
            Assert.Equal($"/openapi/v3/{path}?hash={Service.Document(path)!.Hash}", (string?)entry!["serverRelativeURL"]);
        }
    }

    [Fact]
    public void Document_IsDeterministic_AcrossServiceInstances()
    {
        var other = TestResources.Service();
        Assert.Equal(Service.Document("api/v1")!.Hash, other.Document("api/v1")!.Hash);
        Assert.Equal(Service.Root().Hash, other.Root().Hash);
    }

    [Fact]
    public void Update_AddingAResource_ChangesRootAndServesNewGroupVersion()
    {
        var service = new OpenApiService([TestResources.Pods]);
        var before = service.Root().Hash;
        Assert.Null(service.Document("apis/apps/v1"));
        service.Update([TestResources.Pods, TestResources.Deployments]);
        Assert.NotEqual(before, service.Root().Hash);
        Assert.NotNull(service.Document("apis/apps/v1"));
    }

    [Fact]
    public void Document_CustomResource_HasSchemaWithMetadataAndUpstreamName()
    {
        var schemas = Doc("apis/stable.example.com/v1")["components"]!["schemas"]!.AsObject();
        var crontab = schemas["com.example.stable.v1.CronTab"]!;
        Assert.Equal("#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", (string?)crontab["properties"]!["metadata"]!["$ref"]);
        Assert.True(schemas.ContainsKey("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"));
        Assert.True(schemas.ContainsKey("com.example.stable.v1.Widget"));
    }

    [Fact]
    public void Document_CustomResource_TypeMetaAndMetadataCarryUpstreamsFullDescriptions()
    {
        const string Conventions = "https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md";
        var policies = TestResources.CronTabs with { Resource = "networkpolicies", SingularName = "networkpolicy", Kind = "NetworkPolicy" };
        var schemas = JsonNode.Parse(new OpenApiService([policies], [TestResources.CronTabSchema with { Kind = "NetworkPolicy" }])
            .Document("apis/stable.example.com/v1")!.Json.Span)!["components"]!["schemas"]!;
        var kind = schemas["com.example.stable.v1.NetworkPolicy"]!["properties"]!;
        var list = schemas["com.example.stable.v1.NetworkPolicyList"]!["properties"]!;

        foreach (var props in new[] { kind, list })
        {
            Assert.Equal("APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas "
                + $"to the latest internal value, and may reject unrecognized values. More info: {Conventions}#resources", (string?)props["apiVersion"]!["description"]);
            Assert.Equal("Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint "
                + $"the client submits requests to. Cannot be updated. In CamelCase. More info: {Conventions}#types-kinds", (string?)props["kind"]!["description"]);
        }

        Assert.Equal($"Standard object's metadata. More info: {Conventions}#metadata", (string?)kind["metadata"]!["description"]);
        Assert.Equal($"Standard list metadata. More info: {Conventions}#types-kinds", (string?)list["metadata"]!["description"]);
        Assert.Equal($"List of networkpolicies. More info: {Conventions}", (string?)list["items"]!["description"]);
    }

    [Fact]
    public void Document_BuiltInList_AdvertisesProtobufAndWatchStreams()
    {
        var list = Doc("api/v1")["paths"]!["/api/v1/namespaces/{namespace}/pods"]!["get"]!["responses"]!["200"]!["content"]!.AsObject();
        Assert.Equal(
            ["application/json", "application/json;stream=watch", "application/vnd.kubernetes.protobuf", "application/vnd.kubernetes.protobuf;stream=watch", "application/yaml"],
            list.Select(p => p.Key));
        var create = Doc("api/v1")["paths"]!["/api/v1/namespaces/{namespace}/pods"]!["post"]!["requestBody"]!["content"]!.AsObject();
        Assert.Equal(["*/*"], create.Select(p => p.Key));
    }

    [Fact]
    public void Document_CustomResource_AdvertisesJsonAndYamlOnly_LikeUpstreamsCrdBuilder()
    {
        var doc = Doc("apis/stable.example.com/v1");
        var ops = Operations(doc).Where(o => o.Path.Contains("crontabs", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(ops);
        foreach (var (path, method, op) in ops)
        {
            foreach (var (code, response) in op["responses"]!.AsObject())
            {
                Assert.Equal(["application/json", "application/yaml"], response!["content"]!.AsObject().Select(p => p.Key));
            }

            if (op["requestBody"] is JsonObject body)
            {
                var types = body["content"]!.AsObject().Select(p => p.Key).ToList();
                Assert.DoesNotContain(types, t => t.Contains("protobuf", StringComparison.Ordinal) || t == "*/*" || t.Contains("strategic", StringComparison.Ordinal));
                Assert.True(types.Count >= 2, $"{method} {path}: {string.Join(",", types)}");
            }
        }
    }
}
