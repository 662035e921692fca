using System.IO.Compression;
using System.Net;
using System.Text.Json.Nodes;
using Skiff.ApiServer.OpenApi;
using Xunit;

namespace Skiff.ApiServer.Tests.OpenApi;

public class OpenApiV2EndpointTests
{
    private const string KubectlAccept = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
    private const string ProtobufType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    [Theory]
    [InlineData(KubectlAccept)]
    [InlineData(ProtobufType)]
    [InlineData("application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf")]
    public async Task Get_ProtobufAccept_ServesTheGnosticDocument(string accept)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var service = TestResources.Service();
        await using var host = await OpenApiTestHost.StartAsync(service, cts.Token);
        using var http = new HttpClient { BaseAddress = new Uri(host.Url) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v2");
        request.Headers.TryAddWithoutValidation("Accept", accept);

        var response = await http.SendAsync(request, cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ProtobufType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"\"{service.V2().Hash}\"", response.Headers.ETag?.ToString());
        Assert.Contains("Accept", response.Headers.Vary);
        var body = await response.Content.ReadAsByteArrayAsync(cts.Token);
        Assert.Equal("2.0", (string?)GnosticDecoder.Document(body)["swagger"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("*/*")]
    [InlineData("application/json, */*")]
    public async Task Get_JsonOrAnyAccept_ServesJson(string? accept)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var service = TestResources.Service();
        await using var host = await OpenApiTestHost.StartAsync(service, cts.Token);
        using var http = new HttpClient { BaseAddress = new Uri(host.Url) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v2");
        if (accept is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        var response = await http.SendAsync(request, cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cts.Token))!;
        Assert.Equal("2.0", (string?)json["swagger"]);
        Assert.Equal($"\"{service.V2().Hash}\"", response.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task Get_UnservableAccept_Is406()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var host = await OpenApiTestHost.StartAsync(TestResources.Service(), cts.Token);
        using var http = new HttpClient { BaseAddress = new Uri(host.Url) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v2");
        request.Headers.TryAddWithoutValidation("Accept", "text/html");

        Assert.Equal(HttpStatusCode.NotAcceptable, (await http.SendAsync(request, cts.Token)).StatusCode);
    }

    [Fact]
    public async Task Get_IfNoneMatchCurrentEtag_Is304ForBothForms()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var service = TestResources.Service();
        await using var host = await OpenApiTestHost.StartAsync(service, cts.Token);
        using var http = new HttpClient { BaseAddress = new Uri(host.Url) };

        foreach (var accept in new[] { "application/json", KubectlAccept })
        {
            using var current = new HttpRequestMessage(HttpMethod.Get, "/openapi/v2");
            current.Headers.TryAddWithoutValidation("Accept", accept);
            current.Headers.TryAddWithoutValidation("If-None-Match", $"\"{service.V2().Hash}\"");
            var notModified = await http.SendAsync(current, cts.Token);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync(cts.Token));

            using var stale = new HttpRequestMessage(HttpMethod.Get, "/openapi/v2");
            stale.Headers.TryAddWithoutValidation("Accept", accept);
            stale.Headers.TryAddWithoutValidation("If-None-Match", "\"0BAD\"");
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(stale, cts.Token)).StatusCode);
        }
    }

    [Fact]
    public async Task Get_AcceptEncodingGzip_ServesTheSameBytesCompressed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var service = TestResources.Service();
        await using var host = await OpenApiTestHost.StartAsync(service, cts.Token);
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = new Uri(host.Url) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/openapi/v2");
        request.Headers.TryAddWithoutValidation("Accept", KubectlAccept);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip");

        var response = await http.SendAsync(request, cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("gzip", response.Content.Headers.ContentEncoding);
        await using var gzip = new GZipStream(await response.Content.ReadAsStreamAsync(cts.Token), CompressionMode.Decompress);
        using var plain = new MemoryStream();
        await gzip.CopyToAsync(plain, cts.Token);
        Assert.True(plain.ToArray().AsSpan().SequenceEqual(service.V2().Protobuf.Span));
    }

    [Theory]
    [InlineData("application/com.github.proto-openapi.spec.v2@v1.0+protobuf", true)]
    [InlineData("application/com.github.proto-openapi.spec.v2.v1.0+protobuf", true)]
    [InlineData("application/json", false)]
    [InlineData("*/*", false)]
    [InlineData("application/*", false)]
    [InlineData("*/*;q=0.1, application/com.github.proto-openapi.spec.v2@v1.0+protobuf", true)]
    [InlineData("application/json;q=0, application/com.github.proto-openapi.spec.v2.v1.0+protobuf;q=0.9", true)]
    [InlineData("text/plain", null)]
    public void Negotiate_AcceptClauses_PickLikeGoautoneg(string accept, bool? protobuf) =>
        Assert.Equal(protobuf, OpenApiV2Handler.Negotiate(accept));
}
