using System.Text.Json.Nodes;
using Skiff.Api.Apply;
using Skiff.Api.Errors;
using Skiff.Api.Patch;
using Skiff.Api.Tests.TestSupport;
using Xunit;

namespace Skiff.Api.Tests.Apply;

public class ServerSideApplyTests
{
    private static readonly DateTimeOffset T1 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = new(2024, 1, 2, 0, 0, 0, TimeSpan.Zero);

    private static IPatchSchema Schema()
    {
        var pod = TestSchema.Pod();
        var template = TestSchema.Object()
            .With("metadata", (TestSchema)pod.Field("metadata")!)
            .With("spec", (TestSchema)pod.Field("spec")!);
        var spec = TestSchema.Object().With("template", template);
        return TestSchema.Object().With("metadata", (TestSchema)pod.Field("metadata")!).With("spec", spec);
    }

    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    private static JsonArray Managed(JsonObject o) => (JsonArray)o["metadata"]!["managedFields"]!;

    private const string Deployment = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","namespace":"default","labels":{"app":"web"}},
         "spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"c","image":"nginx:1"}]}}}}
        """;

    [Fact]
    public void Apply_Create_RecordsFieldsV1()
    {
        var r = ServerSideApply.Apply(null, Obj(Deployment), "kubectl", false, Schema(), T1);
        Assert.True(r.Created);
        var entry = Assert.Single(Managed(r.Object))!.AsObject();
        Assert.Equal("kubectl", entry["manager"]!.GetValue<string>());
        Assert.Equal("Apply", entry["operation"]!.GetValue<string>());
        Assert.Equal("apps/v1", entry["apiVersion"]!.GetValue<string>());
        Assert.Equal("2024-01-01T00:00:00Z", entry["time"]!.GetValue<string>());
        Assert.Equal("FieldsV1", entry["fieldsType"]!.GetValue<string>());
        Assert.Equal(
            """{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:replicas":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{},"f:name":{}}}}}}}""",
            entry["fieldsV1"]!.ToJsonString(Relaxed));
        Assert.Equal(1, r.Object["spec"]!["replicas"]!.GetValue<int>());
    }

    [Fact]
    public void Apply_ValueOwnedByUpdater_ConflictsWithUpstreamMessage()
    {
        var live = ServerSideApply.UpdateManagedFields(null, Obj(Deployment), "kubectl-client-side-apply", T1, Schema());
        var applied = Obj("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":3}}""");
        var e = Assert.Throws<StatusException>(() => ServerSideApply.Apply(live, applied, "kubectl", false, Schema(), T2));
        Assert.Equal(409, e.Code);
        Assert.Equal("Conflict", e.Reason);
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\" using apps/v1: .spec.replicas", e.Message);
        var cause = Assert.Single(e.Details!.Causes!);
        Assert.Equal(("FieldManagerConflict", "conflict with \"kubectl-client-side-apply\" using apps/v1", ".spec.replicas"), (cause.Reason, cause.Message, cause.Field));
    }

    [Fact]
    public void Apply_Force_TakesOwnership()
    {
        var live = ServerSideApply.UpdateManagedFields(null, Obj(Deployment), "kubectl-client-side-apply", T1, Schema());
        var applied = Obj("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":3}}""");
        var r = ServerSideApply.Apply(live, applied, "kubectl", true, Schema(), T2);
        Assert.Equal(3, r.Object["spec"]!["replicas"]!.GetValue<int>());
        var entries = Managed(r.Object).Select(n => n!.AsObject()).ToList();
        var mine = entries.Single(e => e["manager"]!.GetValue<string>() == "kubectl");
        var theirs = entries.Single(e => e["manager"]!.GetValue<string>() == "kubectl-client-side-apply");
        Assert.Equal("""{"f:spec":{"f:replicas":{}}}""", mine["fieldsV1"]!.ToJsonString());
        Assert.DoesNotContain("f:replicas", theirs["fieldsV1"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.Equal("nginx:1", r.Object["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());
        Assert.Equal("Apply", entries[0]["operation"]!.GetValue<string>());
    }

    [Fact]
    public void Apply_SameValueAsOtherManager_NoConflictSharedOwnership()
    {
        var live = ServerSideApply.UpdateManagedFields(null, Obj(Deployment), "kubectl-client-side-apply", T1, Schema());
        var applied = Obj("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":1}}""");
        var r = ServerSideApply.Apply(live, applied, "kubectl", false, Schema(), T2);
        Assert.Equal(2, Managed(r.Object).Count);
        Assert.All(Managed(r.Object), e => Assert.Contains("f:replicas", e!["fieldsV1"]!.ToJsonString(), StringComparison.Ordinal));
    }

    [Fact]
    public void Apply_FieldNoLongerApplied_RemovedUnlessOwnedByOthers()
    {
        var first = Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"1","b":"2","c":"3"}},"data":{"x":"1","y":"2"}}""");
        var live = ServerSideApply.Apply(null, first, "m1", false, Schema(), T1).Object;

        // Another manager takes over label c with an ordinary update.
        var edited = (JsonObject)live.DeepClone();
        edited["metadata"]!["labels"]!["c"] = "33";
        live = ServerSideApply.UpdateManagedFields(live, edited, "editor", T1, Schema());

        var second = Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"1"}},"data":{"x":"1"}}""");
        var r = ServerSideApply.Apply(live, second, "m1", false, Schema(), T2).Object;
        Assert.Equal("""{"a":"1","c":"33"}""", r["metadata"]!["labels"]!.ToJsonString());
        Assert.Equal("""{"x":"1"}""", r["data"]!.ToJsonString());
    }

    [Fact]
    public void Apply_ListMapItemChangedByUpdater_ConflictPathUsesKey()
    {
        var live = ServerSideApply.Apply(null, Obj(Deployment), "kubectl", false, Schema(), T1).Object;
        var edited = (JsonObject)live.DeepClone();
        edited["spec"]!["template"]!["spec"]!["containers"]![0]!["image"] = "nginx:2";
        live = ServerSideApply.UpdateManagedFields(live, edited, "kubectl-edit", T2, Schema());

        var e = Assert.Throws<StatusException>(() => ServerSideApply.Apply(live, Obj(Deployment), "kubectl", false, Schema(), T2));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"kubectl-edit\" using apps/v1: .spec.template.spec.containers[name=\"c\"].image", e.Message);
    }

    [Fact]
    public void Apply_AddsContainerByKey_KeepsExisting()
    {
        var live = ServerSideApply.Apply(null, Obj(Deployment), "kubectl", false, Schema(), T1).Object;
        var other = Obj("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"s:1"}]}}}}""");
        var r = ServerSideApply.Apply(live, other, "injector", false, Schema(), T2).Object;
        var names = r["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Select(c => c!["name"]!.GetValue<string>());
        Assert.Equal(new[] { "c", "sidecar" }, names);
    }

    [Fact]
    public void Apply_MultipleConflicts_GroupedByManager()
    {
        var live = ServerSideApply.UpdateManagedFields(null, Obj(Deployment), "a-manager", T1, Schema());
        var applied = Obj("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","labels":{"app":"api"}},"spec":{"replicas":3}}""");
        var e = Assert.Throws<StatusException>(() => ServerSideApply.Apply(live, applied, "kubectl", false, Schema(), T2));
        Assert.Equal("Apply failed with 2 conflicts: conflicts with \"a-manager\" using apps/v1:\n- .metadata.labels.app\n- .spec.replicas", e.Message);
        Assert.Equal(2, e.Details!.Causes!.Count);
    }

    [Fact]
    public void UpdateManagedFields_Update_MovesOwnershipAndDropsRemoved()
    {
        var created = ServerSideApply.UpdateManagedFields(null, Obj(Deployment), "creator", T1, Schema());
        var entry = Assert.Single(Managed(created))!;
        Assert.Equal("Update", entry["operation"]!.GetValue<string>());

        var edited = (JsonObject)created.DeepClone();
        edited["spec"]!["replicas"] = 5;
        ((JsonObject)edited["metadata"]!["labels"]!).Remove("app");
        var updated = ServerSideApply.UpdateManagedFields(created, edited, "scaler", T2, Schema());
        var entries = Managed(updated).Select(n => n!.AsObject()).ToList();
        var scaler = entries.Single(e => e["manager"]!.GetValue<string>() == "scaler");
        var creator = entries.Single(e => e["manager"]!.GetValue<string>() == "creator");
        Assert.Equal("""{"f:spec":{"f:replicas":{}}}""", scaler["fieldsV1"]!.ToJsonString());
        Assert.DoesNotContain("f:replicas", creator["fieldsV1"]!.ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("f:app", creator["fieldsV1"]!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public void UpdateManagedFields_NoChange_NoNewEntry()
    {
        var created = ServerSideApply.UpdateManagedFields(null, Obj(Deployment), "creator", T1, Schema());
        var same = ServerSideApply.UpdateManagedFields(created, (JsonObject)created.DeepClone(), "other", T2, Schema());
        Assert.Single(Managed(same));
    }

    [Fact]
    public void Apply_LiveWithoutManagedFields_BeforeFirstApplyOwnsExisting()
    {
        var live = Obj(Deployment);
        var applied = Obj("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":2}}""");
        var e = Assert.Throws<StatusException>(() => ServerSideApply.Apply(live, applied, "kubectl", false, Schema(), T2));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"before-first-apply\" using apps/v1: .spec.replicas", e.Message);
    }

    [Fact]
    public void Apply_ConfigWithManagedFields_BadRequest()
    {
        var applied = Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","managedFields":[]}}""");
        var e = Assert.Throws<StatusException>(() => ServerSideApply.Apply(null, applied, "m", false, null, T1));
        Assert.Equal((400, "metadata.managedFields must be nil"), (e.Code, e.Message));
    }

    [Fact]
    public void Apply_UnknownSchema_ListsAtomicMapsMerge()
    {
        var live = ServerSideApply.Apply(null, Obj("""{"apiVersion":"x/v1","kind":"K","metadata":{"name":"a"},"spec":{"l":[1,2],"m":{"a":1}}}"""), "m1", false, null, T1).Object;
        var r = ServerSideApply.Apply(live, Obj("""{"apiVersion":"x/v1","kind":"K","metadata":{"name":"a"},"spec":{"m":{"b":2}}}"""), "m2", false, null, T2).Object;
        Assert.Equal("""{"l":[1,2],"m":{"a":1,"b":2}}""", r["spec"]!.ToJsonString());
        var e = Assert.Throws<StatusException>(() => ServerSideApply.Apply(r, Obj("""{"apiVersion":"x/v1","kind":"K","metadata":{"name":"a"},"spec":{"l":[3]}}"""), "m2", false, null, T2));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"m1\": .spec.l", e.Message);
    }
}
