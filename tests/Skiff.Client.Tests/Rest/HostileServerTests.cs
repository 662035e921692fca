using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Api.Protobuf;
using Skiff.Client.Config;
using Skiff.Client.Rest;
using Skiff.Client.Tests.Testing;
using Xunit;

namespace Skiff.Client.Tests.Rest;

/// <summary>
/// The client's decoders against a hostile or broken server: text Go's decoder reads as U+FFFD reads the same here,
/// and everything else is a <see cref="JsonException"/>, <see cref="ProtobufDecodeException"/> or
/// <see cref="KubernetesApiException"/>, never an unexpected exception type, a hang or unbounded memory.
/// </summary>
public sealed class HostileServerTests
{
    private static RestClient Client(Func<HttpResponseMessage> respond) => new(new ClientConfig
    {
        Host = new Uri("https://k8s.test:6443/"),
        Transport = new FakeHandler((_, _) => respond()),
        BearerToken = "tok",
        MaxRetries = 0,
    });

    private static HttpResponseMessage Bytes(HttpStatusCode code, byte[] body, string contentType = "application/json")
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return new HttpResponseMessage(code) { Content = content };
    }

    private static byte[] Compose(params object[] parts) =>
        [.. parts.SelectMany(p => p is string s ? Encoding.UTF8.GetBytes(s) : (byte[])p)];

    [Fact]
    public async Task Get_InvalidUtf8InStrings_ReplacementCharacters()
    {
        var body = Compose("""{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"bad""", new byte[] { 0xFF, 0xFE }, "\"},\"data\":{\"k\":\"v", new byte[] { 0xC3 }, "\"}}");
        using var c = Client(() => Bytes(HttpStatusCode.OK, body));

        var cm = (await c.Get().Namespace("ns").Resource("configmaps").Name("x").DoAsync()).Into<V1ConfigMap>();

        Assert.Equal("bad\uFFFD\uFFFD", cm.Metadata.Name);
        Assert.Equal("v\uFFFD", cm.Data["k"]);
    }

    [Fact]
    public async Task Get_LoneSurrogateEscapes_ReplacementCharacters()
    {
        var body = Encoding.UTF8.GetBytes("""{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a\udead"},"data":{"\ud800":"\ud83d\ude00"}}""");
        using var c = Client(() => Bytes(HttpStatusCode.OK, body));

        var cm = (await c.Get().Namespace("ns").Resource("configmaps").Name("x").DoAsync()).Into<V1ConfigMap>();

        Assert.Equal("a\uFFFD", cm.Metadata.Name);
        Assert.Equal("\U0001F600", cm.Data["\uFFFD"]);
    }

    [Theory]
    [InlineData(5000)]
    [InlineData(200_000)]
    public async Task Get_DeepNesting_JsonException(int depth)
    {
        var body = Encoding.UTF8.GetBytes("""{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"x"},"data":{"k":""" + new string('[', depth) + new string(']', depth) + "}}");
        using var c = Client(() => Bytes(HttpStatusCode.OK, body));

        var result = await c.Get().Namespace("ns").Resource("configmaps").Name("x").DoAsync();

        Assert.ThrowsAny<JsonException>(() => result.Into<V1ConfigMap>());
    }

    [Theory]
    [InlineData("{\"kind\":\"ConfigMap\"")]
    [InlineData("{\"kind\":\"ConfigMap\"}{\"kind\":\"ConfigMap\"}")]
    [InlineData("[1,2]")]
    [InlineData("{\"kind\":\"ConfigMap\",\"metadata\":\"x\"}")]
    [InlineData("{\"kind\":\"ConfigMap\",\"data\":{\"k\":1e400}}")]
    public async Task Get_MalformedOrMistyped_JsonException(string json)
    {
        using var c = Client(() => Bytes(HttpStatusCode.OK, Encoding.UTF8.GetBytes(json)));

        var result = await c.Get().Namespace("ns").Resource("configmaps").Name("x").DoAsync();

        Assert.ThrowsAny<JsonException>(() => result.Into<V1ConfigMap>());
    }

    [Fact]
    public async Task Error_StatusWithLoneSurrogatesOrGarbage_KubernetesApiException()
    {
        using var surrogate = Client(() => Bytes(HttpStatusCode.Conflict, Encoding.UTF8.GetBytes("""{"kind":"Status","apiVersion":"v1","status":"Failure","message":"x\udead","reason":"Conflict","code":409}""")));
        using var garbage = Client(() => Bytes(HttpStatusCode.BadRequest, Compose("{\"kind\":", new byte[] { 0xFF }, new string('[', 5000))));

        var e1 = await Assert.ThrowsAsync<KubernetesApiException>(() => surrogate.Get().Resource("pods").DoAsync());
        var e2 = await Assert.ThrowsAsync<KubernetesApiException>(() => garbage.Get().Resource("pods").DoAsync());

        Assert.Equal("x\uFFFD", e1.Status.Message);
        Assert.Equal(400, e2.Status.Code);
    }

    [Fact]
    public async Task Watch_LoneSurrogateEscapeAndInvalidUtf8_ReplacementCharacters()
    {
        var stream = Compose(
            """{"type":"ADDED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"a\udead","resourceVersion":"1"}}}""", "\n",
            """{"type":"ADDED","object":{"kind":"ConfigMap","apiVersion":"v1","metadata":{"name":"b""", new byte[] { 0xFE }, "\",\"resourceVersion\":\"2\"}}}", "\n");
        using var c = Client(() => Bytes(HttpStatusCode.OK, stream));

        var names = new List<string>();
        await foreach (var ev in c.Get().Resource("configmaps").WatchAsync<V1ConfigMap>())
        {
            names.Add(ev.Object.Metadata.Name);
        }

        Assert.Equal(["a\uFFFD", "b\uFFFD"], names);
    }

    [Fact]
    public async Task Watch_MalformedEvent_JsonException()
    {
        using var c = Client(() => Bytes(HttpStatusCode.OK, Encoding.UTF8.GetBytes("{\"type\":\"ADDED\",\"object\":" + new string('[', 5000) + "\n")));

        await Assert.ThrowsAnyAsync<JsonException>(async () =>
        {
            await foreach (var ev in c.Get().Resource("configmaps").WatchAsync<V1ConfigMap>())
            {
                Assert.Fail("no event expected");
            }
        });
    }

    [Fact]
    public void Protobuf_RawExtensionWithLoneSurrogateOrInvalidUtf8_ReplacementCharacters()
    {
        var pb = ProtobufCodec.Encode(JsonNode.Parse("""{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"r"},"data":{"k":"ZZZZZZ","j":"YYYY"},"revision":1}""")!.AsObject());
        "\\uDDAD"u8.CopyTo(pb.AsSpan(pb.AsSpan().IndexOf("ZZZZZZ"u8)));
        new byte[] { 0xFF, 0x41, 0x41, 0x41 }.CopyTo(pb.AsSpan(pb.AsSpan().IndexOf("YYYY"u8)));

        var revision = ProtobufSerialization.Deserialize<V1ControllerRevision>(pb);

        var data = (JsonElement)revision.Data;
        Assert.Equal("\uFFFD", data.GetProperty("k").GetString());
        Assert.Equal("\uFFFDAAA", data.GetProperty("j").GetString());
    }

    [Theory]
    [InlineData(new byte[] { 0x6B, 0x38, 0x73, 0x00, 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x07 })]
    [InlineData(new byte[] { 0x6B, 0x38, 0x73, 0x00, 0x0F, 0x01 })]
    [InlineData(new byte[] { 0x6B, 0x38, 0x73 })]
    public async Task Protobuf_Garbage_ProtobufDecodeException(byte[] body)
    {
        using var c = Client(() => Bytes(HttpStatusCode.OK, body, ProtobufCodec.ContentType));

        var result = await c.Get().Namespace("ns").Resource("configmaps").Name("x").DoAsync();

        Assert.ThrowsAny<Exception>(() => result.Into<V1ConfigMap>());
        var e = Record.Exception(() => result.Into<V1ConfigMap>());
        Assert.True(e is ProtobufDecodeException or JsonException, e?.GetType().FullName);
    }
}
