using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Registry.Core;
using Skiff.ApiServer.Store;
using Skiff.Storage;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Core;

public class PodBindingBytesTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2025-01-01T00:00:00Z");

    private const string Spec = "\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"busybox\",\"resources\":{\"requests\":{\"cpu\":\"100m\"}}}],\"schedulerName\":\"default-scheduler\"";
    private const string PodKey = "/registry/pods/default/p";

    public static TheoryData<string, string> Shapes() => new()
    {
        // A pod as created (status without conditions), with labels, an owner and a finalizer.
        { "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"namespace\":\"ns\",\"labels\":{\"app\":\"x\"},\"ownerReferences\":[{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"rs\",\"uid\":\"u1\",\"controller\":true}],\"finalizers\":[\"f\"]}," + Spec + "},\"status\":{\"phase\":\"Pending\",\"qosClass\":\"Burstable\"}}", "n1" },
        // Other conditions already present (a readiness gate written by a controller).
        { "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}," + Spec + ",\"readinessGates\":[{\"conditionType\":\"g\"}]},\"status\":{\"phase\":\"Pending\",\"conditions\":[{\"type\":\"g\",\"status\":\"False\",\"lastProbeTime\":null,\"lastTransitionTime\":null}]}}", "node-7" },
        // Empty status, empty conditions, an empty spec, nodeName present but empty or null.
        { "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}," + Spec + "},\"status\":{}}", "n1" },
        { "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}," + Spec + "},\"status\":{\"conditions\":[]}}", "n1" },
        { "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{},\"status\":{\"phase\":\"Pending\"}}", "n1" },
        { "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}," + Spec + ",\"nodeName\":\"\",\"hostname\":\"h\"},\"status\":{\"phase\":\"Pending\"}}", "n1" },
        { "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}," + Spec + ",\"nodeName\":null},\"status\":{\"phase\":\"Pending\"}}", "n1" },
        // PodScheduled already True: only nodeName changes.
        { "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}," + Spec + "},\"status\":{\"conditions\":[{\"type\":\"PodScheduled\",\"status\":\"True\",\"lastProbeTime\":null,\"lastTransitionTime\":\"2024-01-01T00:00:00Z\"}]}}", "n1" },
        // Escaping: non-ASCII, quotes and HTML characters in strings and in the node name; an empty deletionTimestamp.
        { "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"deletionTimestamp\":\"\",\"annotations\":{\"a<b>&\":\"ü \\\"q\\\" \\u0001\"}}," + Spec + "},\"status\":{\"phase\":\"Pending\"}}", "nöde-\"<&>" },
        // Unknown fields stay where they are.
        { "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}," + Spec + "},\"status\":{\"phase\":\"Pending\"},\"extra\":{\"spec\":{\"nodeName\":\"x\"},\"n\":[1,2.50,{}]}}", "n1" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void TryApplyStored_SameBytesAsDecodeApplyEncode(string pod, string node)
    {
        var stored = Store(pod);
        var binding = Binding(node);
        var spliced = PodBinding.TryApplyStored(stored, PodKey, "1", "p", binding, Now);
        Assert.NotNull(spliced);
        Assert.Equal(Encoding.UTF8.GetString(OldPath(stored, binding)), Encoding.UTF8.GetString(spliced));
    }

    [Theory]
    [InlineData("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}," + Spec + "},\"status\":{\"conditions\":[{\"type\":\"PodScheduled\",\"status\":\"False\",\"reason\":\"Unschedulable\"}]}}", false)]
    [InlineData("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}," + Spec + "},\"status\":{\"phase\":\"Pending\"}}", true)]
    public void TryApplyStored_ShapesLeftToApply_ReturnNull(string pod, bool annotatedBinding)
    {
        var binding = Binding("n1");
        if (annotatedBinding)
        {
            binding["metadata"] = new JsonObject { ["annotations"] = new JsonObject { ["k"] = "v" } };
        }

        Assert.Null(PodBinding.TryApplyStored(Store(pod), PodKey, "1", "p", binding, Now));
    }

    [Theory]
    [InlineData("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}," + Spec + ",\"nodeName\":\"n0\"},\"status\":{}}")]
    [InlineData("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"deletionTimestamp\":\"2025-01-01T00:00:00Z\"}," + Spec + "},\"status\":{}}")]
    public void TryApplyStored_AssignedOrDeleting_SameConflictAsApply(string pod)
    {
        var stored = Store(pod);
        var binding = Binding("n1");
        var old = Assert.Throws<StatusException>(() => OldPath(stored, binding));
        var spliced = Assert.Throws<StatusException>(() => PodBinding.TryApplyStored(stored, PodKey, "1", "p", binding, Now));
        Assert.Equal(409, spliced.Code);
        Assert.Equal(old.Message, spliced.Message);
    }

    // Upstream setPodNodeAndMetadata: the binding's uid and resourceVersion are storage preconditions on the pod; a
    // mismatch is storage.NewInvalidObjError on the pod's key, made a Conflict by storeerr.InterpretUpdateError.
    [Theory]
    [InlineData("u1", null, null)]
    [InlineData("u2", null, "Operation cannot be fulfilled on pods \"p\": StorageError: invalid object, Code: 4, Key: /registry/pods/default/p, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: u2, UID in object meta: u1")]
    [InlineData(null, "1", null)]
    [InlineData(null, "7", "Operation cannot be fulfilled on pods \"p\": StorageError: invalid object, Code: 4, Key: /registry/pods/default/p, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: ResourceVersion in precondition: 7, ResourceVersion in object meta: 1")]
    public void TryApplyStored_UidAndResourceVersionPreconditions_AsApply(string? uid, string? resourceVersion, string? conflict)
    {
        var stored = Store("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"uid\":\"u1\"}," + Spec + "},\"status\":{\"phase\":\"Pending\"}}");
        var binding = Binding("n1");
        var meta = (JsonObject)binding["metadata"]!;
        (meta["uid"], meta["resourceVersion"]) = (uid, resourceVersion);
        if (conflict is null)
        {
            Assert.Equal(Encoding.UTF8.GetString(OldPath(stored, binding)), Encoding.UTF8.GetString(PodBinding.TryApplyStored(stored, PodKey, "1", "p", binding, Now)!));
            return;
        }

        var old = Assert.Throws<StatusException>(() => OldPath(stored, binding));
        var spliced = Assert.Throws<StatusException>(() => PodBinding.TryApplyStored(stored, PodKey, "1", "p", binding, Now));
        Assert.Equal((409, conflict), (old.Code, old.Message));
        Assert.Equal((409, conflict), (spliced.Code, spliced.Message));
    }

    private static JsonObject Binding(string node) =>
        new() { ["apiVersion"] = "v1", ["kind"] = "Binding", ["metadata"] = new JsonObject { ["name"] = "p" }, ["target"] = new JsonObject { ["kind"] = "Node", ["name"] = node } };

    /// <summary>The pod as the store writes it (Go zeros filled, relaxed escaping).</summary>
    private static byte[] Store(string pod) => GenericStore.Encode((JsonObject)JsonNode.Parse(pod)!);

    /// <summary>The path before the splice: decode the stored pod, apply, encode for storage.</summary>
    private static byte[] OldPath(byte[] stored, JsonObject binding)
    {
        var pod = GenericStore.Decode(new KeyValue("/registry/pods/ns/p", stored, 1, 1));
        PodBinding.Apply(pod, PodKey, binding, Now);
        return GenericStore.Encode(pod);
    }
}
