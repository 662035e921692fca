using System.Text;
using System.Text.Json;
using k8s.Models;
using Skiff.Api.Protobuf;
using Skiff.Client.Protobuf;
using Skiff.Client.Rest;
using Xunit;

namespace Skiff.Client.Tests.Protobuf;

/// <summary>Targeted cases of the typed codec against the JSON object path: embedded JSON texts, quantities, times,
/// list kinds, fallbacks.</summary>
public sealed class TypedCodecTests
{
    public static TheoryData<string> RawTexts()
    {
        var printable = new StringBuilder();
        for (var c = ' '; c < 0x7F; c++)
        {
            printable.Append(c == '"' || c == '\\' ? "\\" + c : c.ToString());
        }

        return new TheoryData<string>
        {
            "{}",
            "{\"k:{\\\"uid\\\":\\\"x\\\"}\":{\".\":{}}}",
            "{ \"spaced\" : [1, 2.50, true, null] }",
            "{\"a\":\"" + printable + "\"}",
            "{\"é\":\"ünïcode ✓ \\u00e9 \\n\"}",
            "[\"<>&'+`\"]",
            "12.5e3",
        };
    }

    [Theory]
    [MemberData(nameof(RawTexts))]
    public void RawExtension_JsonText_DecodesAndEncodesLikeJsonObjectPath(string text)
    {
        var revision = new V1ControllerRevision
        {
            ApiVersion = "apps/v1",
            Kind = "ControllerRevision",
            Metadata = new V1ObjectMeta { Name = "r" },
            Revision = 2,
            Data = JsonDocument.Parse(text).RootElement.Clone(),
        };
        var pb = OldPath.Encode(revision);

        var typed = OldPath.TypedDecode(pb, typeof(V1ControllerRevision));

        Assert.Equal(OldPath.Json(OldPath.Decode(pb, typeof(V1ControllerRevision))), OldPath.Json(typed!));
        Assert.Equal(pb, OldPath.TypedEncode(revision));
        Assert.Equal(pb, OldPath.TypedEncode(typed!));
    }

    [Fact]
    public void Quantities_NonCanonicalText_EncodeCanonicalLikeJsonPath()
    {
        var pod = new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "c", Resources = new V1ResourceRequirements { Limits = new Dictionary<string, ResourceQuantity> { ["memory"] = new("1.5Gi"), ["cpu"] = new("0.5") } } }],
            },
        };

        var typed = OldPath.TypedEncode(pod);
        var decoded = ProtobufSerialization.Deserialize<V1Pod>(typed);

        Assert.Equal(OldPath.Encode(pod), typed);
        Assert.Equal("1536Mi", decoded.Spec.Containers[0].Resources.Limits["memory"].ToString());
        Assert.Equal("500m", decoded.Spec.Containers[0].Resources.Limits["cpu"].ToString());
    }

    [Fact]
    public void Times_LocalAndFractional_EncodeLikeJsonPath()
    {
        var at = new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc).AddTicks(1234567);
        var ev = new Eventsv1Event
        {
            ApiVersion = "events.k8s.io/v1",
            Kind = "Event",
            Metadata = new V1ObjectMeta { Name = "e", CreationTimestamp = at.ToLocalTime() },
            EventTime = at,
            DeprecatedLastTimestamp = DateTime.SpecifyKind(at, DateTimeKind.Unspecified),
        };

        var typed = OldPath.TypedEncode(ev)!;

        Assert.Equal(OldPath.Encode(ev), typed);
        var back = ProtobufSerialization.Deserialize<Eventsv1Event>(typed);
        Assert.Equal(at.AddTicks(-7), back.EventTime); // MicroTime keeps microseconds
        Assert.Equal(new DateTime(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc), back.Metadata.CreationTimestamp); // Time keeps seconds
        Assert.Equal(DateTimeKind.Utc, back.EventTime!.Value.Kind);
    }

    [Fact]
    public void EmptyList_Decode_HasEmptyItems()
    {
        var pb = ProtobufCodec.Encode(new System.Text.Json.Nodes.JsonObject { ["apiVersion"] = "v1", ["kind"] = "PodList", ["metadata"] = new System.Text.Json.Nodes.JsonObject() });

        Assert.True(ProtobufModelCodec.TryDecode<V1PodList>(pb, out var list));
        Assert.NotNull(list.Items);
        Assert.Empty(list.Items);
        Assert.IsType<List<V1Pod>>(list.Items);
    }

    [Fact]
    public void Status_IsNotBound_FallsBackToJsonObjectPath()
    {
        var pb = ProtobufCodec.Encode(new System.Text.Json.Nodes.JsonObject { ["apiVersion"] = "v1", ["kind"] = "Status", ["reason"] = "NotFound", ["code"] = 404 });

        Assert.False(ProtobufModelCodec.TryDecode<V1Status>(pb, out _));
        Assert.Equal("NotFound", ProtobufSerialization.Deserialize<V1Status>(pb).Reason);
    }

    [Fact]
    public void EnvelopeOfAnotherKind_TypedDecode_FallsBackOrMatches()
    {
        var pb = ProtobufCodec.Encode(new System.Text.Json.Nodes.JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "x" } });

        var pod = ProtobufSerialization.Deserialize<V1Pod>(pb);

        Assert.Equal("x", pod.Metadata.Name);
        Assert.Equal("ConfigMap", pod.Kind);
    }
}
