using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;
using Xunit;

namespace Skiff.ApiServer.Tests;

/// <summary>Protobuf request bodies, responses, errors and watches (what client-go typed clients speak).</summary>
public sealed class ProtobufTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private const string Proto = "application/vnd.kubernetes.protobuf";
    private const string ClientGoAccept = "application/vnd.kubernetes.protobuf, application/json";
    private const string Cms = "/api/v1/namespaces/default/configmaps";

    private static JsonObject ConfigMap(string name, string value = "v") => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["proto"] = "yes" } },
        ["data"] = new JsonObject { ["k"] = value },
    };

    private async Task<(int Status, string? ContentType, byte[] Body)> SendAsync(HttpMethod method, string path, byte[]? body, string accept, string contentType = Proto)
    {
        using var req = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            req.Content = new ByteArrayContent(body);
            req.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        req.Headers.TryAddWithoutValidation("Accept", accept);
        using var resp = await f.Cp.Client.SendAsync(req);
        return ((int)resp.StatusCode, resp.Content.Headers.ContentType?.MediaType, await resp.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Create_ProtobufBodyAndAccept_ReturnsProtobufObject()
    {
        var (status, type, body) = await SendAsync(HttpMethod.Post, Cms + "?fieldManager=typed", ProtobufCodec.Encode(ConfigMap("pb-create")), ClientGoAccept);
        Assert.Equal(201, status);
        Assert.Equal(Proto, type);
        var obj = ProtobufCodec.Decode(body);
        Assert.Equal("ConfigMap", obj["kind"]!.GetValue<string>());
        Assert.Equal("pb-create", obj["metadata"]!["name"]!.GetValue<string>());
        Assert.Equal("v", obj["data"]!["k"]!.GetValue<string>());
        Assert.Equal("typed", obj["metadata"]!["managedFields"]![0]!["manager"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetAndList_ProtobufAccept_DecodeWithCodec()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("pb-get"));
        var (status, type, body) = await SendAsync(HttpMethod.Get, $"{Cms}/pb-get", null, ClientGoAccept);
        Assert.Equal(200, status);
        Assert.Equal(Proto, type);
        Assert.Equal("pb-get", ProtobufCodec.Decode(body)["metadata"]!["name"]!.GetValue<string>());

        var (listStatus, listType, listBody) = await SendAsync(HttpMethod.Get, $"{Cms}?labelSelector=proto%3Dyes", null, Proto);
        Assert.Equal(200, listStatus);
        Assert.Equal(Proto, listType);
        var list = ProtobufCodec.Decode(listBody);
        Assert.Equal("ConfigMapList", list["kind"]!.GetValue<string>());
        Assert.Contains(list["items"]!.AsArray(), i => i!["metadata"]!["name"]!.GetValue<string>() == "pb-get");
    }

    [Fact]
    public async Task Get_Missing_ReturnsProtobufStatus()
    {
        var (status, type, body) = await SendAsync(HttpMethod.Get, $"{Cms}/pb-nope", null, ClientGoAccept);
        Assert.Equal(404, status);
        Assert.Equal(Proto, type);
        var st = ProtobufCodec.Decode(body);
        Assert.Equal("Status", st["kind"]!.GetValue<string>());
        Assert.Equal("configmaps \"pb-nope\" not found", st["message"]!.GetValue<string>());
        Assert.Equal("NotFound", st["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_TableAcceptWithProtobuf_StaysJson()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("pb-table"));
        var (status, type, body) = await SendAsync(HttpMethod.Get, $"{Cms}/pb-table", null,
            "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io,application/json");
        Assert.Equal(200, status);
        Assert.Equal("application/json", type);
        Assert.Equal("Table", JsonNode.Parse(body)!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Update_MalformedProtobuf_Returns400()
    {
        var (status, _, body) = await SendAsync(HttpMethod.Post, Cms, [0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff], "application/json");
        Assert.Equal(400, status);
        Assert.Equal("BadRequest", JsonNode.Parse(body)!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_ProtobufDeleteOptions_Honoured()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("pb-delete"));
        var options = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "DeleteOptions", ["dryRun"] = new JsonArray("All") };
        var (status, type, _) = await SendAsync(HttpMethod.Delete, $"{Cms}/pb-delete", ProtobufCodec.Encode(options), ClientGoAccept);
        Assert.Equal(200, status);
        Assert.Equal(Proto, type);
        var (still, _, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Cms}/pb-delete");
        Assert.Equal(200, still);
    }

    [Fact]
    public async Task Watch_ProtobufAccept_StreamsLengthPrefixedEvents()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (_, created, _) = await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("pb-watch"));
        var rv = created!["metadata"]!["resourceVersion"]!.GetValue<string>();
        using var req = new HttpRequestMessage(HttpMethod.Get, $"{Cms}?watch=true&resourceVersion={rv}&fieldSelector=metadata.name%3Dpb-watch");
        req.Headers.TryAddWithoutValidation("Accept", ClientGoAccept);
        using var resp = await f.Cp.Client.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal(200, (int)resp.StatusCode);
        Assert.Equal("application/vnd.kubernetes.protobuf;stream=watch", resp.Content.Headers.ContentType!.ToString().Replace(" ", ""));
        await using var stream = await resp.Content.ReadAsStreamAsync(cts.Token);

        var update = ConfigMap("pb-watch", "changed");
        await f.Cp.SendAsync(HttpMethod.Put, $"{Cms}/pb-watch", update);
        var ev = await ProtobufWatch.ReadEventAsync(stream, cts.Token);
        Assert.NotNull(ev);
        Assert.Equal("MODIFIED", ev.Type);
        Assert.Equal("ConfigMap", ev.Object["kind"]!.GetValue<string>());
        Assert.Equal("changed", ev.Object["data"]!["k"]!.GetValue<string>());

        await f.Cp.SendAsync(HttpMethod.Delete, $"{Cms}/pb-watch");
        var deleted = await ProtobufWatch.ReadEventAsync(stream, cts.Token);
        Assert.Equal("DELETED", deleted!.Type);
    }

    [Fact]
    public async Task KindWithoutProtobuf_ProtobufOnly406_OtherwiseJson()
    {
        var widgets = new Skiff.ApiServer.Registry.ResourceDescriptor
        {
            Group = "example.com", Version = "v1", Resource = "widgets", SingularName = "widget", Kind = "Widget", Namespaced = true,
            Strategy = new Skiff.ApiServer.Registry.SimpleStrategy(), Custom = true,
        };
        await using var cp = await Skiff.Testing.ControlPlane.TestControlPlane.StartAsync(
            Skiff.Testing.ControlPlane.TestControlPlane.DefaultResources.Append(widgets));
        const string path = "/apis/example.com/v1/namespaces/default/widgets";
        var (created, _, _) = await cp.SendAsync(HttpMethod.Post, path,
            JsonNode.Parse("{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w1\"}}"));
        Assert.Equal(201, created);

        var (only, _, onlyResp) = await cp.SendAsync(HttpMethod.Get, path, accept: Proto);
        Assert.Equal(406, only);
        var status = ProtobufCodec.Decode(await onlyResp.Content.ReadAsByteArrayAsync());
        Assert.Equal("NotAcceptable", status["reason"]!.GetValue<string>());

        var (either, list, resp) = await cp.SendAsync(HttpMethod.Get, path + "/w1", accept: ClientGoAccept);
        Assert.Equal(200, either);
        Assert.Equal("application/json", resp.Content.Headers.ContentType!.MediaType);
        Assert.Equal("w1", list!["metadata"]!["name"]!.GetValue<string>());

        // No Go struct, no strategic merge: 415 naming the patch types a custom kind takes, object unchanged.
        var (smp, smpBody, _) = await cp.SendAsync(HttpMethod.Patch, path + "/w1",
            JsonNode.Parse("{\"metadata\":{\"labels\":{\"a\":\"b\"}}}"), "application/strategic-merge-patch+json");
        Assert.Equal(415, smp);
        Assert.Equal("UnsupportedMediaType", smpBody!["reason"]!.GetValue<string>());
        Assert.DoesNotContain("strategic", smpBody["message"]!.GetValue<string>(), StringComparison.Ordinal);
        var (merge, merged, _) = await cp.SendAsync(HttpMethod.Patch, path + "/w1",
            JsonNode.Parse("{\"metadata\":{\"labels\":{\"a\":\"b\"}}}"), "application/merge-patch+json");
        Assert.Equal(200, merge);
        Assert.Equal("b", merged!["metadata"]!["labels"]!["a"]!.GetValue<string>());
    }

    [Fact]
    public async Task Scale_ProtobufGetAndPut_ChangesReplicas()
    {
        var deploy = JsonNode.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"pb-scale"},
             "spec":{"replicas":1,"selector":{"matchLabels":{"app":"pb-scale"}},
                     "template":{"metadata":{"labels":{"app":"pb-scale"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}
            """);
        await f.Cp.SendAsync(HttpMethod.Post, "/apis/apps/v1/namespaces/default/deployments", deploy);
        const string scalePath = "/apis/apps/v1/namespaces/default/deployments/pb-scale/scale";
        var (status, type, body) = await SendAsync(HttpMethod.Get, scalePath, null, ClientGoAccept);
        Assert.Equal(200, status);
        Assert.Equal(Proto, type);
        var scale = ProtobufCodec.Decode(body);
        Assert.Equal("autoscaling/v1", scale["apiVersion"]!.GetValue<string>());
        Assert.Equal("app=pb-scale", scale["status"]!["selector"]!.GetValue<string>());

        scale["spec"] = new JsonObject { ["replicas"] = 4 };
        var (putStatus, _, putBody) = await SendAsync(HttpMethod.Put, scalePath, ProtobufCodec.Encode(scale), ClientGoAccept);
        Assert.Equal(200, putStatus);
        Assert.Equal(4, ProtobufCodec.Decode(putBody)["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public async Task List_PartialObjectMetadataInProtobuf_ForMetadataClients()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("pb-meta"));
        var (status, type, body) = await SendAsync(HttpMethod.Get, $"{Cms}?labelSelector=proto%3Dyes", null,
            "application/vnd.kubernetes.protobuf;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json");
        Assert.Equal(200, status);
        Assert.Equal(Proto, type);
        var list = ProtobufCodec.Decode(body);
        Assert.Equal("PartialObjectMetadataList", list["kind"]!.GetValue<string>());
        var item = list["items"]!.AsArray().Single(i => i!["metadata"]!["name"]!.GetValue<string>() == "pb-meta");
        Assert.Null(item!["data"]);
    }
}
