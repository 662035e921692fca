using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Skiff.ApiServer.Tests.Endpoints;

/// <summary>Bodies that do not decode into the endpoint's kind get upstream's transformDecodeError messages
/// (kubectl's test/cmd greps them).</summary>
public sealed class DecodeErrorTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    [Fact]
    public async Task Create_YamlSentAsJson_IsUnrecognizedWithHexSummary()
    {
        var yaml = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: valid-pod\n"u8.ToArray();
        var (status, body) = await PostAsync("/api/v1/namespaces", yaml, "application/json");

        Assert.Equal(400, status);
        Assert.Equal("BadRequest", body["reason"]!.GetValue<string>());
        var message = body["message"]!.GetValue<string>();
        Assert.StartsWith("the object provided is unrecognized (must be of type Namespace): couldn't get version/kind; json parse error: ", message, StringComparison.Ordinal);
        Assert.EndsWith($"({Convert.ToHexStringLower(yaml.AsSpan(0, 30))} ...)", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_JsonArray_IsUnrecognized()
    {
        var (status, body) = await PostAsync("/api/v1/namespaces/default/configmaps", "[]"u8.ToArray(), "application/json");

        Assert.Equal(400, status);
        Assert.Equal(
            "the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; json parse error: json: cannot unmarshal array into Go value of type struct { APIVersion string \"json:\\\"apiVersion,omitempty\\\"\"; Kind string \"json:\\\"kind,omitempty\\\"\" } (5b5d)",
            body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_PodPostedToNamespaces_CannotBeHandledAsNamespace()
    {
        var pod = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}"""u8.ToArray();
        var (status, body) = await PostAsync("/api/v1/namespaces", pod, "application/json");

        Assert.Equal(400, status);
        Assert.Equal("Pod in version \"v1\" cannot be handled as a Namespace: converting (v1.Pod) to (core.Namespace): unknown conversion", body["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Create_UnknownKind_IsNotRegistered()
    {
        var (status, body) = await PostAsync("/apis/apps/v1/namespaces/default/deployments", """{"apiVersion":"apps/v1","kind":"Widget","metadata":{"name":"w"}}"""u8.ToArray(), "application/json");

        Assert.Equal(400, status);
        Assert.StartsWith("Widget in version \"v1\" cannot be handled as a Deployment: no kind \"Widget\" is registered for version \"apps/v1\"", body["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_RealKubectlRawPostOfPodToNamespaces_PrintsUpstreamsMessage()
    {
        var file = Path.Combine(Path.GetTempPath(), $"skiff-valid-pod-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, "apiVersion: v1\nkind: Pod\nmetadata:\n  name: valid-pod\nspec:\n  containers:\n  - name: c\n    image: busybox\n");
        try
        {
            // upstream test/cmd/create.sh: `kubectl create --raw /api/v1/namespaces -f valid-pod.yaml`.
            var (exit, stdout, stderr) = await new Skiff.Testing.ControlPlane.Kubectl(f.Cp.KubeconfigPath).RunAsync(["create", "--raw", "/api/v1/namespaces", "-f", file]);
            Assert.NotEqual(0, exit);
            Assert.Contains("the object provided is unrecognized (must be of type Namespace)", stdout + stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private async Task<(int Status, JsonObject Body)> PostAsync(string path, byte[] bytes, string contentType)
    {
        var client = f.Cp.Client;
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }
}
