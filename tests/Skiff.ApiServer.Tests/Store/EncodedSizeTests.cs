using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Store;
using Xunit;

namespace Skiff.ApiServer.Tests.Store;

/// <summary><see cref="EncodedSize"/> counts exactly the bytes the serializer would produce.</summary>
public sealed class EncodedSizeTests
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TheoryData<string> Objects => new()
    {
        """{}""",
        """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"a":"<b>&'\"\\"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}""",
        """{"s":"grüße – 日本語 😀","n":[1,2.5,-3e10,true,false,null],"o":{"x":{"y":[[],{}]}}}""",
    };

    [Theory]
    [MemberData(nameof(Objects))]
    public void Of_SmallObjects_EqualsSerializedLength(string json)
    {
        var node = JsonNode.Parse(json)!;
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(node, Relaxed).Length, EncodedSize.Of(node, Relaxed));
        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(node).Length, EncodedSize.Of(node, JsonSerializerOptions.Default));
    }

    [Fact]
    public void Of_ValuesLargerThanTheScratchBuffer_EqualsSerializedLength()
    {
        var node = new JsonObject { ["big"] = new string('x', 100_000) + "é\u2028", ["many"] = new JsonArray() };
        for (var i = 0; i < 5_000; i++)
        {
            node["many"]!.AsArray().Add(new JsonObject { ["k" + i] = "v<" + i });
        }

        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(node, Relaxed).Length, EncodedSize.Of(node, Relaxed));
        Assert.Equal(2, EncodedSize.Of(new JsonObject(), Relaxed)); // the count restarts for every call
    }
}
