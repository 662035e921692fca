using System.Net;
using System.Text.Json.Nodes;
using Skiff.ApiServer.OpenApi;
using Xunit;

namespace Skiff.ApiServer.Tests.OpenApi;

public class OpenApiEndpointsTests
{
    [Fact]
    public async Task MapOpenApi_RootAndHashedDocument_ServeUpstreamCachingHeaders()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var service = TestResources.Service();
        await using var host = await OpenApiTestHost.StartAsync(service, cts.Token);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(host.Url) };

        var root = await http.GetAsync("/openapi/v3", cts.Token);
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("application/json", root.Content.Headers.ContentType?.MediaType);
        var url = (string)JsonNode.Parse(await root.Content.ReadAsStringAsync(cts.Token))!["paths"]!["apis/apps/v1"]!["serverRelativeURL"]!;

        var doc = await http.GetAsync(url, cts.Token);
        Assert.Equal(HttpStatusCode.OK, doc.StatusCode);
        Assert.Equal("public, immutable", doc.Headers.CacheControl?.ToString());
        Assert.Equal($"\"{service.Document("apis/apps/v1")!.Hash}\"", doc.Headers.ETag?.ToString());
        Assert.NotNull(JsonNode.Parse(await doc.Content.ReadAsStringAsync(cts.Token))!["components"]!["schemas"]!["io.k8s.api.apps.v1.Deployment"]);

        var stale = await http.GetAsync("/openapi/v3/apis/apps/v1?hash=0BAD", cts.Token);
        Assert.Equal(HttpStatusCode.MovedPermanently, stale.StatusCode);
        Assert.Equal(url, stale.Headers.Location?.ToString());

        using var conditional = new HttpRequestMessage(HttpMethod.Get, "/openapi/v3/api/v1");
        conditional.Headers.TryAddWithoutValidation("If-None-Match", $"\"{service.Document("api/v1")!.Hash}\"");
        Assert.Equal(HttpStatusCode.NotModified, (await http.SendAsync(conditional, cts.Token)).StatusCode);

        var unhashed = await http.GetAsync("/openapi/v3/api/v1", cts.Token);
        Assert.Equal(HttpStatusCode.OK, unhashed.StatusCode);
        Assert.Null(unhashed.Headers.CacheControl);
    }

    [Fact]
    public async Task MapOpenApi_UnknownGroupVersion_Is404()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var host = await OpenApiTestHost.StartAsync(TestResources.Service(), cts.Token);
        using var http = new HttpClient { BaseAddress = new Uri(host.Url) };
        var missing = await http.GetAsync("/openapi/v3/apis/nothing.example.com/v1", cts.Token);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("NotFound", (string?)JsonNode.Parse(await missing.Content.ReadAsStringAsync(cts.Token))!["reason"]);
    }
}
