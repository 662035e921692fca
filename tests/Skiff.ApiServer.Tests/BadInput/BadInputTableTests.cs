using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;
using Xunit;
using Xunit.Abstractions;

namespace Skiff.ApiServer.Tests.BadInput;

/// <summary>
/// The rows of issue 17's table (each must be a 4xx, quickly) and issue 16's protobuf bodies with invalid UTF-8 or
/// lone surrogate escapes, against the live server.
/// </summary>
public sealed class BadInputTableTests(ControlPlaneFixture f, ITestOutputHelper output) : IClassFixture<ControlPlaneFixture>
{
    private const string Cms = "/api/v1/namespaces/default/configmaps";
    private const string Revisions = "/apis/apps/v1/namespaces/default/controllerrevisions";

    public static TheoryData<string, int> Rows() => new()
    {
        { "yaml-billion-laughs", 400 },
        { "yaml-nested-5000", 400 },
        { "json-invalid-utf8-name", 422 },
        { "json-nested-5000", 400 },
        { "protobuf-random-after-magic", 400 },
        { "json-200000-labels", 413 },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public async Task IssueTableRow_Answers4xxQuickly(string row, int expected)
    {
        var (body, contentType) = Body(row);

        var sw = Stopwatch.StartNew();
        var (status, text) = await SendAsync(HttpMethod.Post, Cms, body, contentType);
        sw.Stop();
        output.WriteLine($"{row}: {status} in {sw.Elapsed.TotalMilliseconds:F0} ms");

        Assert.True(status == expected, $"{row}: {status} {text}");
        Assert.True(sw.Elapsed < BadInputTests.Deadline, $"{row} took {sw.Elapsed}");
        Assert.Equal("Status", JsonNode.Parse(text)!["kind"]!.GetValue<string>());
    }

    /// <summary>The body of one row of issue 17's table.</summary>
    public static (byte[] Body, string ContentType) Body(string row)
    {
        const string head = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"row\"";
        switch (row)
        {
            case "yaml-billion-laughs":
                return (Encoding.UTF8.GetBytes(BadInputCorpus.BillionLaughs("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: laughs\n")), "application/yaml");
            case "yaml-nested-5000":
                return (Encoding.UTF8.GetBytes(BadInputCorpus.DeepYaml(5000).Replace("@APIVERSION@", "v1").Replace("@KIND@", "ConfigMap").Replace("@NAME@", "deep")), "application/yaml");
            case "json-invalid-utf8-name":
                return ([.. "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bad"u8, 0xFF, 0xFE, .. "\"}}"u8], "application/json");
            case "json-nested-5000":
                return (Encoding.UTF8.GetBytes(head + "},\"data\":{\"a\":" + new string('[', 5000) + new string(']', 5000) + "}}"), "application/json");
            case "protobuf-random-after-magic":
                var random = new byte[200];
                new Random(17).NextBytes(random);
                return ([.. "k8s\0"u8, .. random], ProtobufCodec.ContentType);
            default:
                return (Encoding.UTF8.GetBytes(head + ",\"labels\":{" + string.Join(",", Enumerable.Range(0, 200_000).Select(i => $"\"l{i}\":\"v\"")) + "}}}"), "application/json");
        }
    }

    [Fact]
    public async Task Protobuf_RawExtensionWithLoneSurrogateEscape_StoredAsReplacementCharacter()
    {
        var pb = Revision("lone-surrogate", "ZZZZZZ", "\\uDDAD"u8.ToArray());

        var (status, text) = await SendAsync(HttpMethod.Post, Revisions, pb, ProtobufCodec.ContentType);

        Assert.True(status == 201, text);
        Assert.Equal("\uFFFD", JsonNode.Parse(text)!["data"]!["k"]!.GetValue<string>());
    }

    [Fact]
    public async Task Protobuf_RawExtensionWithInvalidUtf8_StoredAsReplacementCharacters()
    {
        var pb = Revision("invalid-utf8", "ZZZZZZ", [0xFF, 0xFE, 0x61, 0x62, 0x63, 0x64]);

        var (status, text) = await SendAsync(HttpMethod.Post, Revisions, pb, ProtobufCodec.ContentType);

        Assert.True(status == 201, text);
        Assert.Equal("\uFFFD\uFFFDabcd", JsonNode.Parse(text)!["data"]!["k"]!.GetValue<string>());
    }

    [Fact]
    public async Task Protobuf_RawExtensionWithInvalidJson_400()
    {
        var pb = Revision("invalid-json", "\"ZZZZZZ\"}", "[[[[[[[[["u8.ToArray());

        var (status, text) = await SendAsync(HttpMethod.Post, Revisions, pb, ProtobufCodec.ContentType);

        Assert.True(status == 400, text);
        Assert.Contains("embedded object is neither protobuf nor valid JSON", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Protobuf_InvalidUtf8InStringAndName_ReplacementCharactersThen422ForTheName()
    {
        var pb = ProtobufCodec.Encode(JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"utf8-ok"},"data":{"k":"ZZZZ"}}""")!.AsObject());
        new byte[] { 0x61, 0xFF, 0xC3, 0x62 }.CopyTo(pb, pb.AsSpan().IndexOf("ZZZZ"u8));
        var badName = ProtobufCodec.Encode(JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ZZZZZ"}}""")!.AsObject());
        new byte[] { 0x62, 0x61, 0x64, 0xFF, 0xFE }.CopyTo(badName, badName.AsSpan().IndexOf("ZZZZZ"u8));

        var (okStatus, okText) = await SendAsync(HttpMethod.Post, Cms, pb, ProtobufCodec.ContentType);
        var (badStatus, badText) = await SendAsync(HttpMethod.Post, Cms, badName, ProtobufCodec.ContentType);

        Assert.True(okStatus == 201, okText);
        Assert.StartsWith("a\uFFFD", JsonNode.Parse(okText)!["data"]!["k"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.True(badStatus == 422, badText);
        Assert.Equal("Invalid", JsonNode.Parse(badText)!["reason"]!.GetValue<string>());
    }

    /// <summary>A ControllerRevision envelope whose data holds {"k":"ZZZZZZ"}, <paramref name="marker"/> then overwritten in place.</summary>
    private static byte[] Revision(string name, string marker, byte[] replacement)
    {
        var pb = ProtobufCodec.Encode(JsonNode.Parse($$"""{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"{{name}}"},"data":{"k":"ZZZZZZ"},"revision":1}""")!.AsObject());
        replacement.CopyTo(pb, pb.AsSpan().IndexOf(Encoding.UTF8.GetBytes(marker)));
        return pb;
    }

    private async Task<(int Status, string Text)> SendAsync(HttpMethod method, string path, byte[] body, string contentType)
    {
        using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await f.Cp.Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
