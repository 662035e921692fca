using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.Endpoints;

/// <summary>
/// A create answers with the stored bytes (resourceVersion spliced in, no decode and re-encode): the response is byte
/// for byte what a GET of the object returns, for every kind and answer shape.
/// </summary>
public sealed class CreateResponseTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private async Task<(int Status, string Body)> SendAsync(HttpMethod method, string path, string? body = null, string? accept = null)
    {
        using var req = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            req.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (accept is not null)
        {
            req.Headers.Accept.ParseAdd(accept);
        }

        using var resp = await f.Cp.Client.SendAsync(req);
        return ((int)resp.StatusCode, await resp.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"NAME","labels":{"a":"b"}},"data":{"k":"v <&> é"}}""")]
    [InlineData("pods", """{"metadata":{"name":"NAME"},"spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}]}]}}""")]
    [InlineData("services", """{"metadata":{"name":"NAME"},"spec":{"ports":[{"port":80}]}}""")]
    public async Task Create_ResponseBytes_EqualTheStoredObjectAsGetReturnsIt(string resource, string template)
    {
        var name = "cr-" + Guid.NewGuid().ToString("N")[..8];
        var path = $"/api/v1/namespaces/default/{resource}";

        var (status, created) = await SendAsync(HttpMethod.Post, path, template.Replace("NAME", name, StringComparison.Ordinal));
        var (getStatus, got) = await SendAsync(HttpMethod.Get, $"{path}/{name}");

        Assert.Equal(201, status);
        Assert.Equal(200, getStatus);
        Assert.Equal(got, created);
        Assert.EndsWith("\n", created, StringComparison.Ordinal);
        var obj = JsonNode.Parse(created)!;
        Assert.False(string.IsNullOrEmpty((string?)obj["metadata"]!["resourceVersion"]));
        Assert.Equal("metadata.resourceVersion", LastMetadataField(obj));
    }

    [Fact]
    public async Task Create_AsTable_StillAnswersATable()
    {
        var name = "cr-" + Guid.NewGuid().ToString("N")[..8];
        var (status, body) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps",
            Named(name), "application/json;as=Table;v=v1;g=meta.k8s.io");

        Assert.Equal(201, status);
        Assert.Equal("Table", (string?)JsonNode.Parse(body)!["kind"]);
    }

    [Fact]
    public async Task Create_Pretty_IsIndentedAndEqualsThePrettyGet()
    {
        var name = "cr-" + Guid.NewGuid().ToString("N")[..8];
        var (status, created) = await SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/configmaps?pretty=true", Named(name));
        var (_, got) = await SendAsync(HttpMethod.Get, $"/api/v1/namespaces/default/configmaps/{name}?pretty=true");

        Assert.Equal(201, status);
        Assert.Contains("\n  \"kind\"", created, StringComparison.Ordinal);
        Assert.Equal(got, created);
    }

    [Fact]
    public async Task Create_OfAConvertedVersion_AnswersInTheServedVersion()
    {
        var name = "cr-" + Guid.NewGuid().ToString("N")[..8];
        var (status, body) = await SendAsync(HttpMethod.Post, "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers",
            """{"metadata":{"name":"NAME"},"spec":{"scaleTargetRef":{"apiVersion":"apps/v1","kind":"Deployment","name":"d"},"maxReplicas":3,"targetCPUUtilizationPercentage":50}}""".Replace("NAME", name, StringComparison.Ordinal));

        Assert.Equal(201, status);
        var obj = JsonNode.Parse(body)!;
        Assert.Equal("autoscaling/v1", (string?)obj["apiVersion"]);
        Assert.Equal(50, (int?)obj["spec"]!["targetCPUUtilizationPercentage"]);
    }

    private static string Named(string name) => """{"metadata":{"name":"NAME"}}""".Replace("NAME", name, StringComparison.Ordinal);

    private static string LastMetadataField(JsonNode obj) => "metadata." + obj["metadata"]!.AsObject().Last().Key;
}
