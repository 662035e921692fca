using System.Text.Json.Nodes;
using Skiff.Api.Apply;
using Skiff.Api.Errors;
using Skiff.Api.Patch;
using Skiff.Api.Tests.TestSupport;
using Xunit;

namespace Skiff.Api.Tests.Apply;

/// <summary>The client-side → server-side apply upgrade (upstream's lastAppliedManager and lastAppliedUpdater).</summary>
public class LastAppliedTests
{
    private const string Annotation = "kubectl.kubernetes.io/last-applied-configuration";
    private static readonly DateTimeOffset T1 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T2 = new(2024, 1, 2, 0, 0, 0, TimeSpan.Zero);

    private static IPatchSchema Schema() => TestSchema.Object().With("metadata", (TestSchema)TestSchema.Pod().Field("metadata")!);

    private static JsonObject Obj(string json) => JsonNode.Parse(json)!.AsObject();

    /// <summary>A ConfigMap as client-side apply leaves it: its configuration in the annotation, owned by kubectl-client-side-apply.</summary>
    private static JsonObject ClientSideApplied(string lastAppliedApiVersion = "v1", string liveKey = "value")
    {
        var lastApplied = """{"apiVersion":"VERSION","data":{"key":"value","legacy":"unused"},"kind":"ConfigMap","metadata":{"annotations":{},"name":"test","namespace":"default"}}"""
            .Replace("VERSION", lastAppliedApiVersion, StringComparison.Ordinal) + "\n";
        var live = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = new JsonObject { ["name"] = "test", ["namespace"] = "default", ["annotations"] = new JsonObject { [Annotation] = lastApplied } },
            ["data"] = new JsonObject { ["key"] = liveKey, ["legacy"] = "unused" },
        };
        return ServerSideApply.UpdateManagedFields(null, live, "kubectl-client-side-apply", T1, Schema());
    }

    private static JsonObject Config(string key) =>
        Obj("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"test","namespace":"default"},"data":{"key":"KEY"}}""".Replace("KEY", key, StringComparison.Ordinal));

    [Fact]
    public void KubectlApply_OnAClientSideAppliedObject_TakesOverInsteadOfConflicting()
    {
        var result = ServerSideApply.Apply(ClientSideApplied(), Config("new"), "kubectl", false, Schema(), T2).Object;

        Assert.Equal("new", result["data"]!["key"]!.GetValue<string>());
        var entries = result["metadata"]!["managedFields"]!.AsArray();
        var csa = entries.Single(e => e!["manager"]!.GetValue<string>() == "kubectl-client-side-apply")!;
        Assert.Null(csa["fieldsV1"]!["f:data"]!["f:key"]);
        Assert.NotNull(csa["fieldsV1"]!["f:data"]!["f:legacy"]);
        var ssa = entries.Single(e => e!["manager"]!.GetValue<string>() == "kubectl")!;
        Assert.Equal("Apply", ssa["operation"]!.GetValue<string>());
        Assert.NotNull(ssa["fieldsV1"]!["f:data"]!["f:key"]);

        // The annotation now holds what was applied: sorted keys, without itself, a trailing newline (Go's encoding).
        Assert.Equal("""{"apiVersion":"v1","data":{"key":"new"},"kind":"ConfigMap","metadata":{"name":"test","namespace":"default"}}""" + "\n",
            result["metadata"]!["annotations"]![Annotation]!.GetValue<string>());
    }

    [Fact]
    public void OtherManagers_DoNotUpgrade()
    {
        var e = Assert.Throws<StatusException>(() => ServerSideApply.Apply(ClientSideApplied(), Config("new"), "not-kubectl", false, Schema(), T2));

        Assert.Equal(409, e.Code);
        Assert.Contains("conflict with \"kubectl-client-side-apply\" using v1: .data.key", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FieldsChangedSinceTheLastClientSideApply_StillConflict()
    {
        // The live value is no longer what last-applied says: the client-side manager's ownership is not handed over.
        var e = Assert.Throws<StatusException>(() => ServerSideApply.Apply(ClientSideApplied(liveKey: "edited"), Config("new"), "kubectl", false, Schema(), T2));

        Assert.Equal(409, e.Code);
    }

    [Fact]
    public void LastAppliedOfAnotherApiVersion_IsNotUsed()
    {
        var e = Assert.Throws<StatusException>(() => ServerSideApply.Apply(ClientSideApplied(lastAppliedApiVersion: "v2"), Config("new"), "kubectl", false, Schema(), T2));

        Assert.Equal(409, e.Code);
    }

    [Fact]
    public void WithoutTheAnnotation_KubectlApplyDoesNotAddIt()
    {
        var live = ServerSideApply.UpdateManagedFields(null, Config("value"), "someone", T1, Schema());

        var result = ServerSideApply.Apply(live, Config("value"), "kubectl", false, Schema(), T2).Object;

        Assert.Null(result["metadata"]!["annotations"]);
    }
}
