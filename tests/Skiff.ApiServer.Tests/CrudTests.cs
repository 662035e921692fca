using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests;

public sealed class CrudTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private static JsonObject ConfigMap(string name, string? labels = null) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = labels is null ? null : JsonNode.Parse(labels) },
        ["data"] = new JsonObject { ["k"] = "v" },
    };

    private const string Cms = "/api/v1/namespaces/default/configmaps";

    [Fact]
    public async Task Create_NewObject_SetsServerMetadata()
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("crud-a"));
        Assert.Equal(201, status);
        var meta = body!["metadata"]!;
        Assert.True(Guid.TryParse(meta["uid"]!.GetValue<string>(), out _));
        Assert.Matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$", meta["creationTimestamp"]!.GetValue<string>());
        Assert.True(long.Parse(meta["resourceVersion"]!.GetValue<string>()) > 0);
        Assert.Equal("default", meta["namespace"]!.GetValue<string>());
        Assert.Equal("Update", meta["managedFields"]![0]!["operation"]!.GetValue<string>());

        var (getStatus, got, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Cms}/crud-a");
        Assert.Equal(200, getStatus);
        Assert.Equal(meta["resourceVersion"]!.GetValue<string>(), got!["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_Twice_Returns409AlreadyExists()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("crud-dup"));
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("crud-dup"));
        Assert.Equal(409, status);
        Assert.Equal("AlreadyExists", body!["reason"]!.GetValue<string>());
        Assert.Equal("configmaps \"crud-dup\" already exists", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_Missing_Returns404WithUpstreamMessage()
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Cms}/nope");
        Assert.Equal(404, status);
        Assert.Equal("configmaps \"nope\" not found", body!["message"]!.GetValue<string>());
        Assert.Equal("configmaps", body["details"]!["kind"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_MissingNamespace_Returns404Namespace()
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/ghost/configmaps", ConfigMap("x"));
        Assert.Equal(404, status);
        Assert.Equal("namespaces \"ghost\" not found", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_InvalidName_Returns422()
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("Bad_Name"));
        Assert.Equal(422, status);
        Assert.StartsWith("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value: \"Bad_Name\"", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_GenerateName_AppendsFiveCharacters()
    {
        var obj = ConfigMap("");
        obj["metadata"]!.AsObject().Remove("name");
        obj["metadata"]!["generateName"] = "gen-";
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, Cms, obj);
        Assert.Equal(201, status);
        Assert.Matches("^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$", body!["metadata"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_DryRun_StoresNothing()
    {
        var (status, _, _) = await f.Cp.SendAsync(HttpMethod.Post, Cms + "?dryRun=All", ConfigMap("crud-dry"));
        Assert.Equal(201, status);
        var (getStatus, _, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Cms}/crud-dry");
        Assert.Equal(404, getStatus);
    }

    [Fact]
    public async Task Update_StaleResourceVersion_Returns409Conflict()
    {
        var (_, created, _) = await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("crud-cas"));
        var first = (JsonObject)created!.DeepClone();
        first["data"]!["k"] = "v2";
        var (okStatus, _, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{Cms}/crud-cas", first);
        Assert.Equal(200, okStatus);

        var stale = (JsonObject)created.DeepClone();
        stale["data"]!["k"] = "v3";
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{Cms}/crud-cas", stale);
        Assert.Equal(409, status);
        Assert.Equal(
            "Operation cannot be fulfilled on configmaps \"crud-cas\": the object has been modified; please apply your changes to the latest version and try again",
            body!["message"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("")]
    [InlineData("crud-other")]
    public async Task Update_BodyNameDiffersFromUrl_Returns400AndChangesNothing(string bodyName)
    {
        var (_, created, _) = await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("crud-name"));
        var body = ConfigMap(bodyName);
        body["metadata"]!["resourceVersion"] = created!["metadata"]!["resourceVersion"]!.GetValue<string>();
        body["data"]!["k"] = "changed";

        var (status, answer, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{Cms}/crud-name", body);

        Assert.Equal(400, status);
        Assert.Equal("BadRequest", answer!["reason"]!.GetValue<string>());
        Assert.Equal($"the name of the object ({bodyName}) does not match the name on the URL (crud-name)", answer["message"]!.GetValue<string>());
        var (_, got, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Cms}/crud-name");
        Assert.Equal("v", got!["data"]!["k"]!.GetValue<string>());
        await f.Cp.SendAsync(HttpMethod.Delete, $"{Cms}/crud-name", null);
    }

    [Fact]
    public async Task Update_NoChange_KeepsResourceVersion()
    {
        var (_, created, _) = await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("crud-noop"));
        var (_, updated, _) = await f.Cp.SendAsync(HttpMethod.Put, $"{Cms}/crud-noop", created);
        Assert.Equal(created!["metadata"]!["resourceVersion"]!.GetValue<string>(), updated!["metadata"]!["resourceVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_MergeJsonAndStrategic_Apply()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("crud-patch"));
        var (s1, b1, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Cms}/crud-patch", JsonNode.Parse("{\"data\":{\"m\":\"1\"}}"), "application/merge-patch+json");
        Assert.Equal(200, s1);
        Assert.Equal("1", b1!["data"]!["m"]!.GetValue<string>());
        var (s2, b2, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Cms}/crud-patch", JsonNode.Parse("[{\"op\":\"remove\",\"path\":\"/data/k\"}]"), "application/json-patch+json");
        Assert.Equal(200, s2);
        Assert.Null(b2!["data"]!["k"]);
        var (s3, b3, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Cms}/crud-patch", JsonNode.Parse("{\"metadata\":{\"labels\":{\"a\":\"b\"}}}"), "application/strategic-merge-patch+json");
        Assert.Equal(200, s3);
        Assert.Equal("b", b3!["metadata"]!["labels"]!["a"]!.GetValue<string>());
    }

    [Fact]
    public async Task Patch_UnknownContentType_Returns415()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("crud-415"));
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Cms}/crud-415", JsonNode.Parse("{}"), "text/plain");
        Assert.Equal(415, status);
        Assert.StartsWith("the body of the request was in an unknown format - accepted media types include:", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_UnsatisfiableAccept_Returns406()
    {
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Get, Cms, accept: "text/html");
        Assert.Equal(406, status);
        Assert.StartsWith("only the following media types are accepted:", body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_YamlBody_IsAccepted()
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, Cms)
        {
            Content = new StringContent("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: crud-yaml\ndata:\n  n: \"1\"\n"),
        };
        req.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/yaml");
        var resp = await f.Cp.Client.SendAsync(req);
        Assert.Equal(201, (int)resp.StatusCode);
        var body = JsonNode.Parse(await resp.Content.ReadAsStringAsync())!;
        Assert.Equal("1", body["data"]!["n"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_BodyOver3MiB_Returns413()
    {
        var big = ConfigMap("crud-big");
        big["data"]!["k"] = new string('x', 3 * 1024 * 1024 + 10);
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Post, Cms, big);
        Assert.Equal(413, status);
        Assert.Equal("RequestEntityTooLarge", body!["reason"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_StrictDuplicateField_Returns400()
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, Cms + "?fieldValidation=Strict")
        {
            Content = new StringContent("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"dupf\",\"name\":\"dupf\"}}"),
        };
        req.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var resp = await f.Cp.Client.SendAsync(req);
        Assert.Equal(400, (int)resp.StatusCode);
        Assert.Contains("strict decoding error: duplicate field \\u0022metadata.name\\u0022", (await resp.Content.ReadAsStringAsync()).Replace("\\\"", "\\u0022"));
    }

    [Fact]
    public async Task Create_DuplicateFieldWarn_LastWinsWithWarning()
    {
        using var req = new HttpRequestMessage(HttpMethod.Post, Cms)
        {
            Content = new StringContent("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"dup-first\",\"name\":\"dup-last\"}}"),
        };
        req.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var resp = await f.Cp.Client.SendAsync(req);
        Assert.Equal(201, (int)resp.StatusCode);
        Assert.Equal("dup-last", JsonNode.Parse(await resp.Content.ReadAsStringAsync())!["metadata"]!["name"]!.GetValue<string>());
        Assert.Contains(resp.Headers.GetValues("Warning"), w => w.Contains("duplicate field", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delete_WithFinalizer_KeepsObjectUntilFinalizerRemoved()
    {
        var obj = ConfigMap("crud-fin");
        obj["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        await f.Cp.SendAsync(HttpMethod.Post, Cms, obj);
        var (delStatus, marked, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{Cms}/crud-fin");
        Assert.Equal(200, delStatus);
        Assert.NotNull(marked!["metadata"]!["deletionTimestamp"]);

        var (getStatus, _, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Cms}/crud-fin");
        Assert.Equal(200, getStatus);

        var (patchStatus, _, _) = await f.Cp.SendAsync(HttpMethod.Patch, $"{Cms}/crud-fin", JsonNode.Parse("{\"metadata\":{\"finalizers\":null}}"), "application/merge-patch+json");
        Assert.Equal(200, patchStatus);
        var (goneStatus, _, _) = await f.Cp.SendAsync(HttpMethod.Get, $"{Cms}/crud-fin");
        Assert.Equal(404, goneStatus);
    }

    [Fact]
    public async Task Delete_ConfigMap_ReturnsSuccessStatus()
    {
        await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("crud-del"));
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{Cms}/crud-del", JsonNode.Parse("{\"propagationPolicy\":\"Background\"}"));
        Assert.Equal(200, status);
        Assert.Equal("Success", body!["status"]!.GetValue<string>());
        Assert.Equal("crud-del", body["details"]!["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_OrphanPolicyWithFinalizer_AddsOrphanFinalizer()
    {
        var obj = ConfigMap("crud-orphan");
        obj["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        await f.Cp.SendAsync(HttpMethod.Post, Cms, obj);
        var (_, body, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{Cms}/crud-orphan", JsonNode.Parse("{\"propagationPolicy\":\"Orphan\"}"));
        var finalizers = body!["metadata"]!["finalizers"]!.AsArray().Select(x => x!.GetValue<string>()).ToList();
        Assert.Contains("orphan", finalizers);
    }

    [Fact]
    public async Task Delete_WrongUidPrecondition_Returns409()
    {
        var (_, created, _) = await f.Cp.SendAsync(HttpMethod.Post, Cms, ConfigMap("crud-pre"));
        var uid = created!["metadata"]!["uid"]!.GetValue<string>();
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Delete, $"{Cms}/crud-pre", JsonNode.Parse("{\"preconditions\":{\"uid\":\"x\"}}"));
        Assert.Equal(409, status);

        // Upstream: storage.NewInvalidObjError on the key, made a Conflict by storeerr.InterpretDeleteError.
        Assert.Equal(
            "Operation cannot be fulfilled on configmaps \"crud-pre\": StorageError: invalid object, Code: 4, Key: /registry/configmaps/default/crud-pre, " +
            $"ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: x, UID in object meta: {uid}",
            body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Namespace_Delete_BecomesTerminatingAndRefusesNewContent()
    {
        var ns = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = "doomed" } };
        await f.Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces", ns);
        var (status, body, _) = await f.Cp.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/doomed");
        Assert.Equal(200, status);
        Assert.Equal("Terminating", body!["status"]!["phase"]!.GetValue<string>());
        var (createStatus, err, _) = await f.Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/doomed/configmaps", ConfigMap("x"));
        Assert.Equal(403, createStatus);
        Assert.Equal("configmaps \"x\" is forbidden: unable to create new content in namespace doomed because it is being terminated", err!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Scale_GetAndPatch_ChangeSpecReplicas()
    {
        var d = JsonNode.Parse("""
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
             "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}
            """)!;
        var (cs, _, _) = await f.Cp.SendAsync(HttpMethod.Post, "/apis/apps/v1/namespaces/default/deployments", d);
        Assert.Equal(201, cs);
        var (gs, scale, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/apps/v1/namespaces/default/deployments/web/scale");
        Assert.Equal(200, gs);
        Assert.Equal("autoscaling/v1", scale!["apiVersion"]!.GetValue<string>());
        Assert.Equal("app=web", scale["status"]!["selector"]!.GetValue<string>());
        var (ps, patched, _) = await f.Cp.SendAsync(HttpMethod.Patch, "/apis/apps/v1/namespaces/default/deployments/web/scale", JsonNode.Parse("{\"spec\":{\"replicas\":3}}"), "application/merge-patch+json");
        Assert.Equal(200, ps);
        Assert.Equal(3, patched!["spec"]!["replicas"]!.GetValue<int>());
        var (_, dep, _) = await f.Cp.SendAsync(HttpMethod.Get, "/apis/apps/v1/namespaces/default/deployments/web");
        Assert.Equal(3, dep!["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal(2, dep["metadata"]!["generation"]!.GetValue<int>());
    }
}
