using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Skiff.Api.Protobuf;
using Skiff.Client.Rest;
using Xunit;

namespace Skiff.Client.Tests.Protobuf;

/// <summary>Protobuf watch events decode straight to the model, equal to the JSON object path; ERROR events still end
/// the stream with their Status.</summary>
public sealed class TypedWatchTests
{
    private static readonly JsonObject Pod = JsonNode.Parse("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns","resourceVersion":"7","creationTimestamp":"2024-05-01T10:00:00Z","labels":{"a":"b"}},
         "spec":{"containers":[{"name":"c","image":"busybox","resources":{"requests":{"cpu":"100m"}}}]},"status":{"phase":"Running"}}
        """)!.AsObject();

    [Fact]
    public void DecodeProtobufWatchEvent_PodFrame_EqualsJsonObjectPath()
    {
        var frame = ProtobufWatch.EncodeEventFrame("MODIFIED", Pod);

        var typed = RestRequest.DecodeProtobufWatchEvent<V1Pod>(frame.AsSpan(4));

        var old = ProtobufSerialization.FromObject<V1Pod>(ProtobufWatch.DecodeEvent(frame.AsSpan(4)).Object);
        Assert.Equal(WatchEventType.Modified, typed.Type);
        Assert.Equal(KubernetesSerialization.Serialize(old), KubernetesSerialization.Serialize(typed.Object));
        Assert.Equal("100m", typed.Object.Spec.Containers[0].Resources.Requests["cpu"].ToString());
    }

    [Fact]
    public void DecodeProtobufWatchEvent_ErrorFrame_ThrowsWithStatus()
    {
        var status = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Status", ["status"] = "Failure", ["reason"] = "Expired", ["code"] = 410 };
        var frame = ProtobufWatch.EncodeEventFrame("ERROR", status);

        var e = Assert.Throws<KubernetesApiException>(() => RestRequest.DecodeProtobufWatchEvent<V1Pod>(frame.AsSpan(4)));

        Assert.Equal("Expired", e.Status.Reason);
    }

    [Fact]
    public void DecodeProtobufWatchEvent_FrameWithoutObject_ProtobufDecodeException()
    {
        byte[] body = [0x0A, 0x05, .. "ADDED"u8];

        Assert.Throws<ProtobufDecodeException>(() => RestRequest.DecodeProtobufWatchEvent<V1Pod>(body));
    }
}
