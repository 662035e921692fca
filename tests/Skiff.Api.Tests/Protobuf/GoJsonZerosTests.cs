using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;
using Xunit;

namespace Skiff.Api.Tests.Protobuf;

/// <summary>The fields Go's encoding/json always writes, derived from the schema's pointer/omitempty/inline facts.</summary>
public class GoJsonZerosTests
{
    private static JsonObject Filled(string json)
    {
        var obj = JsonNode.Parse(json)!.AsObject();
        Assert.True(GoJsonZeros.Fill(obj));
        return obj;
    }

    [Fact]
    public void DaemonSet_StatusScalarsWithoutOmitEmpty_AreZero_OmitEmptyOnesAbsent()
    {
        var ds = Filled("""{"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"d"}}""");
        Assert.Equal(
            """{"currentNumberScheduled":0,"numberMisscheduled":0,"desiredNumberScheduled":0,"numberReady":0}""",
            ds["status"]!.ToJsonString());

        // spec is a struct (always written); its template too, with its own struct members.
        Assert.Equal("""{"metadata":{},"spec":{}}""", ds["spec"]!["template"]!.ToJsonString());
        Assert.False(ds["spec"]!.AsObject().ContainsKey("selector")); // a pointer: absent stays absent
    }

    [Fact]
    public void Node_WithoutSpec_GetsEmptySpec_AndStatusStructs()
    {
        var node = Filled("""{"apiVersion":"v1","kind":"Node","metadata":{"name":"n"}}""");
        Assert.Equal("{}", node["spec"]!.ToJsonString());
        Assert.Equal(0, node["status"]!["daemonEndpoints"]!["kubeletEndpoint"]!["Port"]!.GetValue<int>());
        Assert.Equal("", node["status"]!["nodeInfo"]!["machineID"]!.GetValue<string>());
    }

    [Fact]
    public void PresentValues_Kept_AndWalkedInto_ListsAndSpecialTypes()
    {
        var pod = Filled("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
             "spec":{"containers":[{"name":"c","ports":[{"name":"http"}],
               "env":[{"name":"E","valueFrom":{"resourceFieldRef":{"resource":"limits.cpu"}}}]}]}}
            """);
        var c = pod["spec"]!["containers"]![0]!;
        Assert.Equal("c", c["name"]!.GetValue<string>());
        Assert.Equal(0, c["ports"]![0]!["containerPort"]!.GetValue<int>()); // int32 without omitempty
        Assert.Equal("0", c["env"]![0]!["valueFrom"]!["resourceFieldRef"]!["divisor"]!.GetValue<string>()); // Quantity struct
        Assert.False(pod["metadata"]!.AsObject().ContainsKey("creationTimestamp")); // Go writes null: left out
        Assert.False(c.AsObject().ContainsKey("image")); // omitempty string
    }

    [Fact]
    public void ReplicationController_StatusReplicas_IsZero()
    {
        var rc = Filled("""{"apiVersion":"v1","kind":"ReplicationController","metadata":{"name":"r"},"status":{"readyReplicas":2}}""");
        Assert.Equal(0, rc["status"]!["replicas"]!.GetValue<int>());
        Assert.Equal(2, rc["status"]!["readyReplicas"]!.GetValue<int>());
    }

    [Fact]
    public void UnknownKinds_AreLeftAlone()
    {
        var cr = JsonNode.Parse("""{"apiVersion":"example.com/v1","kind":"Widget","spec":{}}""")!.AsObject();
        Assert.False(GoJsonZeros.Fill(cr));
        Assert.Equal("""{"apiVersion":"example.com/v1","kind":"Widget","spec":{}}""", cr.ToJsonString());
    }
}
