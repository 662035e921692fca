using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry;

/// <summary>The strategies through the real HTTP server and generic store (memory storage).</summary>
public sealed class BuiltInResourcesIntegrationTests(BuiltInControlPlaneFixture f) : IClassFixture<BuiltInControlPlaneFixture>
{
    private const string Services = "/api/v1/namespaces/default/services";
    private const string Pods = "/api/v1/namespaces/default/pods";
    private const string TableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io";

    private static JsonNode Svc(string name, int nodePort) => JsonNode.Parse("""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"NAME"},"spec":{"type":"NodePort","selector":{"app":"x"},"ports":[{"port":80,"nodePort":PORT}]}}
        """.Replace("NAME", name).Replace("PORT", nodePort.ToString(System.Globalization.CultureInfo.InvariantCulture)))!;

    [Fact]
    public async Task Service_NodePortTakenUntilOwnerDeleted()
    {
        var (status, created, _) = await f.Cp.SendAsync(HttpMethod.Post, Services, Svc("it-svc-a", 31234));
        Assert.Equal(201, status);
        Assert.StartsWith("10.0.0.", created!["spec"]!["clusterIP"]!.GetValue<string>());
        Assert.Equal(31234, created["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>());
        Assert.Equal(80, created["spec"]!["ports"]![0]!["targetPort"]!.GetValue<int>());

        var (dupStatus, dup, _) = await f.Cp.SendAsync(HttpMethod.Post, Services, Svc("it-svc-b", 31234));
        Assert.Equal(422, dupStatus);
        Assert.Equal("Service \"it-svc-b\" is invalid: spec.ports[0].nodePort: Invalid value: 31234: provided port is already allocated", dup!["message"]!.GetValue<string>());

        var (delStatus, _, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{Services}/it-svc-a");
        Assert.Equal(200, delStatus);
        var (again, _, _) = await f.Cp.SendAsync(HttpMethod.Post, Services, Svc("it-svc-b", 31234));
        Assert.Equal(201, again);
    }

    [Fact]
    public async Task Service_PutWithoutClusterIp_KeepsAllocation()
    {
        var (_, created, _) = await f.Cp.SendAsync(HttpMethod.Post, Services, Svc("it-svc-put", 0));
        var ip = created!["spec"]!["clusterIP"]!.GetValue<string>();
        var body = Svc("it-svc-put", 0);
        body["metadata"]!["resourceVersion"] = created["metadata"]!["resourceVersion"]!.GetValue<string>();
        body["spec"]!["ports"]![0]!.AsObject().Remove("nodePort");
        var (status, updated, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{Services}/it-svc-put", body);
        Assert.Equal(200, status);
        Assert.Equal(ip, updated!["spec"]!["clusterIP"]!.GetValue<string>());
        Assert.Equal(created["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>(), updated["spec"]!["ports"]![0]!["nodePort"]!.GetValue<int>());
    }

    [Fact]
    public async Task Pod_DefaultsAndSpecImmutability()
    {
        var pod = JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"it-pod"},"spec":{"containers":[{"name":"c","image":"nginx:1.27"}]}}""")!;
        var (status, created, _) = await f.Cp.SendAsync(HttpMethod.Post, Pods, pod);
        Assert.Equal(201, status);
        Assert.Equal("IfNotPresent", created!["spec"]!["containers"]![0]!["imagePullPolicy"]!.GetValue<string>());
        Assert.Equal("Pending", created["status"]!["phase"]!.GetValue<string>());

        var image = (JsonObject)created.DeepClone();
        image["spec"]!["containers"]![0]!["image"] = "nginx:1.28";
        var (imageStatus, updated, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{Pods}/it-pod", image);
        Assert.Equal(200, imageStatus);

        var other = (JsonObject)updated!.DeepClone();
        other["spec"]!["restartPolicy"] = "Never";
        var (otherStatus, error, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{Pods}/it-pod", other);
        Assert.Equal(422, otherStatus);
        Assert.StartsWith("Pod \"it-pod\" is invalid: spec: Forbidden: pod updates may not change fields other than", error!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Pod_TableAndFieldSelector()
    {
        var pod = JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"it-pod-t"},"spec":{"nodeName":"it-node","containers":[{"name":"c","image":"busybox"}]}}""")!;
        await f.Cp.SendAsync(HttpMethod.Post, Pods, pod);
        var (status, table, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Pods}?fieldSelector=spec.nodeName%3Dit-node", accept: TableAccept);
        Assert.Equal(200, status);
        Assert.Equal("Table", table!["kind"]!.GetValue<string>());
        var row = table["rows"]!.AsArray().Single()!["cells"]!.AsArray();
        Assert.Equal("it-pod-t", row[0]!.GetValue<string>());
        Assert.Equal("0/1", row[1]!.GetValue<string>());
        Assert.Equal("Pending", row[2]!.GetValue<string>());
        Assert.Equal("it-node", row[6]!.GetValue<string>());
    }

    [Fact]
    public async Task Job_SelectorGeneratedFromUid()
    {
        var job = JsonNode.Parse("""
            {"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"it-job"},"spec":{"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"busybox"}]}}}}
            """)!;
        var (status, created, _) = await f.Cp.SendAsync(HttpMethod.Post, "/apis/batch/v1/namespaces/default/jobs", job);
        Assert.Equal(201, status);
        var uid = created!["metadata"]!["uid"]!.GetValue<string>();
        Assert.Equal(uid, created["spec"]!["selector"]!["matchLabels"]!["batch.kubernetes.io/controller-uid"]!.GetValue<string>());
        Assert.Equal(1, created["metadata"]!["generation"]!.GetValue<int>());
    }

    [Fact]
    public async Task Deployment_SelectorImmutable()
    {
        var d = JsonNode.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"it-deploy"},
             "spec":{"selector":{"matchLabels":{"app":"a"}},"template":{"metadata":{"labels":{"app":"a"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}
            """)!;
        var (status, created, _) = await f.Cp.SendAsync(HttpMethod.Post, "/apis/apps/v1/namespaces/default/deployments", d);
        Assert.Equal(201, status);
        var changed = (JsonObject)created!.DeepClone();
        changed["spec"]!["selector"]!["matchLabels"]!["app"] = "b";
        changed["spec"]!["template"]!["metadata"]!["labels"]!["app"] = "b";
        var (updateStatus, error, _) = await f.Cp.SendAsync(HttpMethod.Put, "/apis/apps/v1/namespaces/default/deployments/it-deploy", changed);
        Assert.Equal(422, updateStatus);
        Assert.Equal("spec.selector", error!["details"]!["causes"]![0]!["field"]!.GetValue<string>());
        Assert.EndsWith("field is immutable", error["message"]!.GetValue<string>());
    }
}
