using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources;

/// <summary>CRDs served at run time: conditions, discovery, OpenAPI, CRUD semantics of custom resources, deletion.</summary>
public sealed class CustomResourceServingTests
{
    private const string Jobs = "/apis/kubeflow.example.com/v1/namespaces/default/trainingjobs";

    [Fact]
    public async Task CreatedCrd_IsEstablishedAndServed_WithoutRestart()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var (before, _, _) = await cp.SendAsync(HttpMethod.Get, "/apis/kubeflow.example.com/v1");
        Assert.Equal(404, before);

        var crd = await TestCrds.CreateAsync(cp, TestCrds.TrainingJobs());

        var status = crd["status"]!;
        Assert.True(TestCrds.HasCondition(crd, "NamesAccepted", "True"));
        var names = status["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "NamesAccepted")!;
        Assert.Equal("NoConflicts", names["reason"]!.GetValue<string>());
        Assert.Equal("no conflicts found", names["message"]!.GetValue<string>());
        var established = status["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Established")!;
        Assert.Equal("InitialNamesAccepted", established["reason"]!.GetValue<string>());
        Assert.Equal("trainingjobs", status["acceptedNames"]!["plural"]!.GetValue<string>());
        Assert.Equal("TrainingJob", status["acceptedNames"]!["kind"]!.GetValue<string>());
        Assert.Equal("tj", status["acceptedNames"]!["shortNames"]![0]!.GetValue<string>());
        Assert.Equal(["v1"], status["storedVersions"]!.AsArray().Select(v => v!.GetValue<string>()));

        var (code, list, _) = await cp.SendAsync(HttpMethod.Get, "/apis/kubeflow.example.com/v1");
        Assert.Equal(200, code);
        var resources = list!["resources"]!.AsArray().Select(r => r!["name"]!.GetValue<string>()).ToList();
        Assert.Contains("trainingjobs", resources);
        Assert.Contains("trainingjobs/status", resources);
        Assert.Contains("trainingjobs/scale", resources);

        var (_, aggregated, response) = await cp.SendAsync(HttpMethod.Get, "/apis", accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
        Assert.Contains("as=APIGroupDiscoveryList", response.Content.Headers.ContentType!.ToString());
        var group = aggregated!["items"]!.AsArray().Single(g => g!["metadata"]!["name"]!.GetValue<string>() == "kubeflow.example.com")!;
        Assert.Equal(["v1", "v1beta1"], group["versions"]!.AsArray().Select(v => v!["version"]!.GetValue<string>()).Order());

        var (_, openApi, _) = await cp.SendAsync(HttpMethod.Get, "/openapi/v3");
        Assert.NotNull(openApi!["paths"]!["apis/kubeflow.example.com/v1"]);
        var (docCode, doc, _) = await cp.SendAsync(HttpMethod.Get, "/openapi/v3/apis/kubeflow.example.com/v1");
        Assert.Equal(200, docCode);
        Assert.Equal("The desired training job.", doc!["components"]!["schemas"]!["com.example.kubeflow.v1.TrainingJob"]!["properties"]!["spec"]!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task CustomResource_Crud_StatusAndScaleSubresources_FollowUpstream()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await TestCrds.CreateAsync(cp, TestCrds.TrainingJobs());

        var job = TestCrds.Job("a", 2);
        job["status"] = new JsonObject { ["phase"] = "Ignored" };
        var (code, created, _) = await cp.SendAsync(HttpMethod.Post, Jobs, job);
        Assert.True(code == 201, $"{code} {created}");
        Assert.Null(created!["status"]); // status subresource: a create drops status
        Assert.Equal(1, created["metadata"]!["generation"]!.GetValue<long>());

        // The main resource ignores status; a spec change bumps the generation.
        var update = (JsonObject)created.DeepClone();
        update["spec"]!["replicas"] = 3;
        update["status"] = new JsonObject { ["phase"] = "Running" };
        var (uc, updated, _) = await cp.SendAsync(HttpMethod.Put, Jobs + "/a", update);
        Assert.True(uc == 200, $"{uc} {updated}");
        Assert.Null(updated!["status"]);
        Assert.Equal(2, updated["metadata"]!["generation"]!.GetValue<long>());

        // /status ignores spec changes and does not bump the generation.
        var statusUpdate = (JsonObject)updated.DeepClone();
        statusUpdate["spec"]!["replicas"] = 9;
        statusUpdate["status"] = new JsonObject { ["phase"] = "Running", ["replicas"] = 3, ["selector"] = "app=a" };
        var (sc, statusResult, _) = await cp.SendAsync(HttpMethod.Put, Jobs + "/a/status", statusUpdate);
        Assert.True(sc == 200, $"{sc} {statusResult}");
        Assert.Equal(3, statusResult!["spec"]!["replicas"]!.GetValue<long>());
        Assert.Equal("Running", statusResult["status"]!["phase"]!.GetValue<string>());
        Assert.Equal(2, statusResult["metadata"]!["generation"]!.GetValue<long>());

        // Scale reads the CRD's paths and writes specReplicasPath.
        var (gc, scale, _) = await cp.SendAsync(HttpMethod.Get, Jobs + "/a/scale");
        Assert.Equal(200, gc);
        Assert.Equal("autoscaling/v1", scale!["apiVersion"]!.GetValue<string>());
        Assert.Equal(3, scale["spec"]!["replicas"]!.GetValue<long>());
        Assert.Equal(3, scale["status"]!["replicas"]!.GetValue<long>());
        Assert.Equal("app=a", scale["status"]!["selector"]!.GetValue<string>());
        var (pc, patchedScale, _) = await cp.SendAsync(HttpMethod.Patch, Jobs + "/a/scale", new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 5 } }, "application/merge-patch+json");
        Assert.True(pc == 200, $"{pc} {patchedScale}");
        Assert.Equal(5, patchedScale!["spec"]!["replicas"]!.GetValue<long>());
        var (_, afterScale, _) = await cp.SendAsync(HttpMethod.Get, Jobs + "/a");
        Assert.Equal(5, afterScale!["spec"]!["replicas"]!.GetValue<long>());
    }

    [Fact]
    public async Task CustomResource_WriteRules_AreUpstreams()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await TestCrds.CreateAsync(cp, TestCrds.TrainingJobs());
        var (_, created, _) = await cp.SendAsync(HttpMethod.Post, Jobs, TestCrds.Job("a", 1));

        var noVersion = (JsonObject)created!.DeepClone();
        noVersion["metadata"]!.AsObject().Remove("resourceVersion");
        var (putCode, putBody, _) = await cp.SendAsync(HttpMethod.Put, Jobs + "/a", noVersion);
        Assert.Equal(422, putCode);
        Assert.Equal("TrainingJob.kubeflow.example.com \"a\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", putBody!["message"]!.GetValue<string>());

        var (smpCode, smp, _) = await cp.SendAsync(HttpMethod.Patch, Jobs + "/a", new JsonObject { ["spec"] = new JsonObject { ["image"] = "x" } }, "application/strategic-merge-patch+json");
        Assert.Equal(415, smpCode);
        Assert.Equal("the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml", smp!["message"]!.GetValue<string>());

        var (mergeCode, merged, _) = await cp.SendAsync(HttpMethod.Patch, Jobs + "/a", new JsonObject { ["spec"] = new JsonObject { ["image"] = "trainer:2" } }, "application/merge-patch+json");
        Assert.Equal(200, mergeCode);
        Assert.Equal("trainer:2", merged!["spec"]!["image"]!.GetValue<string>());

        var jsonPatch = new JsonArray(new JsonObject { ["op"] = "replace", ["path"] = "/spec/replicas", ["value"] = 4 });
        var (jpCode, jp, _) = await cp.SendAsync(HttpMethod.Patch, Jobs + "/a", jsonPatch, "application/json-patch+json");
        Assert.Equal(200, jpCode);
        Assert.Equal(4, jp!["spec"]!["replicas"]!.GetValue<long>());

        var applied = "apiVersion: kubeflow.example.com/v1\nkind: TrainingJob\nmetadata:\n  name: b\nspec:\n  replicas: 7\n";
        using var req = new HttpRequestMessage(HttpMethod.Patch, Jobs + "/b?fieldManager=test") { Content = new StringContent(applied) };
        req.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/apply-patch+yaml");
        using var applyResp = await cp.Client.SendAsync(req);
        Assert.Equal(201, (int)applyResp.StatusCode);

        using var proto = new HttpRequestMessage(HttpMethod.Get, Jobs + "/a");
        proto.Headers.TryAddWithoutValidation("Accept", "application/vnd.kubernetes.protobuf");
        using var protoResp = await cp.Client.SendAsync(proto);
        Assert.Equal(406, (int)protoResp.StatusCode);
    }

    [Fact]
    public async Task NonStorageVersion_IsStoredAsStorageVersion_AndReadBackInEach()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await TestCrds.CreateAsync(cp, TestCrds.TrainingJobs());
        var (code, created, _) = await cp.SendAsync(HttpMethod.Post, "/apis/kubeflow.example.com/v1beta1/namespaces/default/trainingjobs",
            TestCrds.Job("beta", 1, "kubeflow.example.com/v1beta1"));
        Assert.True(code == 201, $"{code} {created}");
        Assert.Equal("kubeflow.example.com/v1beta1", created!["apiVersion"]!.GetValue<string>());

        var stored = await cp.Storage.GetAsync("/registry/kubeflow.example.com/trainingjobs/default/beta", 0, default);
        Assert.Equal("kubeflow.example.com/v1", JsonNode.Parse(stored!.Value.Span)!["apiVersion"]!.GetValue<string>());
        var (_, v1, _) = await cp.SendAsync(HttpMethod.Get, Jobs + "/beta");
        Assert.Equal("kubeflow.example.com/v1", v1!["apiVersion"]!.GetValue<string>());
        var (_, list, _) = await cp.SendAsync(HttpMethod.Get, "/apis/kubeflow.example.com/v1beta1/namespaces/default/trainingjobs");
        Assert.Equal("kubeflow.example.com/v1beta1", list!["items"]![0]!["apiVersion"]!.GetValue<string>());
    }

    [Fact]
    public async Task Watch_SeesCustomResourceEvents()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await TestCrds.CreateAsync(cp, TestCrds.TrainingJobs());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (_, created, _) = await cp.SendAsync(HttpMethod.Post, Jobs, TestCrds.Job("w", 1));
        var rv = created!["metadata"]!["resourceVersion"]!.GetValue<string>();
        var watch = TestCrds.WatchUntilAsync(cp, Jobs + "?resourceVersion=" + rv, (type, obj) => type == "MODIFIED" && obj["spec"]?["replicas"]?.GetValue<long>() == 6, cts.Token);
        var merge = new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 6 } };
        await cp.SendAsync(HttpMethod.Patch, Jobs + "/w", merge, "application/merge-patch+json");
        var seen = await watch;
        Assert.Equal(created["metadata"]!["uid"]!.GetValue<string>(), seen!["metadata"]!["uid"]!.GetValue<string>());
    }

    [Fact]
    public async Task NameConflict_WithAnotherCrdOfTheGroup_IsReported()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await TestCrds.CreateAsync(cp, TestCrds.Widgets("conflict.example.com", "widgets", "Widget"));
        var second = await TestCrds.CreateAsync(cp, TestCrds.Widgets("conflict.example.com", "gadgets", "Widget"), "NamesAccepted", "False");

        var names = second["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "NamesAccepted")!;
        // Kind and list kind both clash; as upstream, the last check's reason and message are reported.
        Assert.Equal("ListKindConflict", names["reason"]!.GetValue<string>());
        Assert.Equal("\"WidgetList\" is already in use", names["message"]!.GetValue<string>());
        var established = second["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "Established")!;
        Assert.Equal("False", established["status"]!.GetValue<string>());
        Assert.Equal("NotAccepted", established["reason"]!.GetValue<string>());
        var (code, _, _) = await cp.SendAsync(HttpMethod.Get, "/apis/conflict.example.com/v1/gadgets");
        Assert.Equal(404, code);

        // A built-in's name is taken too.
        var ingresses = TestCrds.Widgets("networking.k8s.io", "ingresses", "Thing");
        ingresses["metadata"]!["annotations"] = new JsonObject { ["api-approved.kubernetes.io"] = "unapproved, test" };
        var builtIn = await TestCrds.CreateAsync(cp, ingresses, "NamesAccepted", "False");
        var reason = builtIn["status"]!["conditions"]!.AsArray().Single(c => c!["type"]!.GetValue<string>() == "NamesAccepted")!;
        Assert.Equal("PluralConflict", reason["reason"]!.GetValue<string>());
        Assert.Equal("\"ingresses\" is already in use", reason["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task DeletingCrd_DeletesItsObjects_ThenStopsServing()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await TestCrds.CreateAsync(cp, TestCrds.TrainingJobs());
        await cp.SendAsync(HttpMethod.Post, Jobs, TestCrds.Job("a", 1));
        await cp.SendAsync(HttpMethod.Post, "/apis/kubeflow.example.com/v1/namespaces/kube-system/trainingjobs", TestCrds.Job("b", 1));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var gone = TestCrds.WatchUntilAsync(cp, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", (type, obj) => type == "DELETED", cts.Token);
        var (code, deleting, _) = await cp.SendAsync(HttpMethod.Delete, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/trainingjobs.kubeflow.example.com");
        Assert.Equal(200, code);
        Assert.Contains("customresourcecleanup.apiextensions.k8s.io", deleting!["metadata"]!["finalizers"]!.AsArray().Select(f => f!.GetValue<string>()));
        Assert.True(TestCrds.HasCondition(deleting.AsObject(), "Terminating", "True"));
        await gone;

        Assert.Equal(0, await cp.Storage.CountAsync("/registry/kubeflow.example.com/trainingjobs/", default));
        var (after, _, _) = await cp.SendAsync(HttpMethod.Get, Jobs);
        Assert.Equal(404, after);
        var (_, groups, _) = await cp.SendAsync(HttpMethod.Get, "/apis");
        Assert.DoesNotContain(groups!["groups"]!.AsArray(), g => g!["name"]!.GetValue<string>() == "kubeflow.example.com");
    }

    [Fact]
    public async Task DeletingCrd_WaitsForHeldObjects_AndRefusesCreatesMeanwhile()
    {
        await using var cp = await TestControlPlane.StartAsync();
        await TestCrds.CreateAsync(cp, TestCrds.TrainingJobs());
        var held = TestCrds.Job("held", 1);
        held["metadata"]!["finalizers"] = new JsonArray("example.com/hold");
        await cp.SendAsync(HttpMethod.Post, Jobs, held);

        await cp.SendAsync(HttpMethod.Delete, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/trainingjobs.kubeflow.example.com");
        await TestCrds.WaitForAsync(cp, "trainingjobs.kubeflow.example.com",
            c => c["status"]?["conditions"] is JsonArray a && a.Any(x => x?["reason"]?.GetValue<string>() == "InstanceDeletionInProgress"));
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await TestCrds.WatchUntilAsync(cp, Jobs, (_, obj) => obj["metadata"]?["deletionTimestamp"] is not null, cts.Token);
        }

        var (code, body, _) = await cp.SendAsync(HttpMethod.Post, Jobs, TestCrds.Job("late", 1));
        Assert.Equal(405, code);
        Assert.Equal("create not allowed while custom resource definition is terminating", body!["message"]!.GetValue<string>());

        using var done = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var gone = TestCrds.WatchUntilAsync(cp, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", (type, _) => type == "DELETED", done.Token);
        var release = new JsonArray(new JsonObject { ["op"] = "remove", ["path"] = "/metadata/finalizers" });
        var (patchCode, _, _) = await cp.SendAsync(HttpMethod.Patch, Jobs + "/held", release, "application/json-patch+json");
        Assert.Equal(200, patchCode);
        await gone;
    }
}
