using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.BadInput;

/// <summary>
/// The bad-input suites run alone (no other test class allocates meanwhile, so the memory they measure is the
/// server's) against their own in-process control plane.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BadInputCollection : ICollectionFixture<BadInputServerFixture>
{
    public const string Name = "bad input";
}

/// <summary>
/// A control plane serving the built-in catalogue plus a schema-less custom resource (widgets.example.com), holding
/// one existing object of each kind the corpus updates, patches, evicts or binds: configmap, deployment, pod, widget.
/// </summary>
public sealed class BadInputServerFixture : IAsyncLifetime
{
    /// <summary>The lists whose items (name and resourceVersion) must not change while bad input is sent.</summary>
    public static readonly IReadOnlyList<string> WatchedLists =
    [
        "/api/v1/namespaces", "/api/v1/namespaces/default/configmaps", "/api/v1/namespaces/default/pods",
        "/apis/apps/v1/namespaces/default/deployments", "/apis/apps/v1/namespaces/default/controllerrevisions",
        "/apis/example.com/v1/namespaces/default/widgets",
    ];

    public TestControlPlane Cp { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var widgets = new ResourceDescriptor
        {
            Group = "example.com", Version = "v1", Resource = "widgets", SingularName = "widget", Kind = "Widget", Namespaced = true,
            Strategy = new SimpleStrategy(), Custom = true,
        };
        Cp = await TestControlPlane.StartAsync(TestControlPlane.DefaultResources.Append(widgets));
        await CreateAsync("/api/v1/namespaces/default/configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"existing","labels":{"a":"b"}},"data":{"k":"v"}}""");
        await CreateAsync("/apis/apps/v1/namespaces/default/deployments", """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"existing"},
             "spec":{"replicas":1,"selector":{"matchLabels":{"app":"x"}},
                     "template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}}
            """);
        await CreateAsync("/api/v1/namespaces/default/pods", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"existing"},"spec":{"containers":[{"name":"c","image":"i"}]}}""");
        await CreateAsync("/apis/example.com/v1/namespaces/default/widgets", """{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"existing"},"spec":{"size":1}}""");
    }

    public async Task DisposeAsync() => await Cp.DisposeAsync();

    /// <summary>The names and resourceVersions of the items of <see cref="WatchedLists"/>, one line each.</summary>
    public async Task<IReadOnlyList<string>> SnapshotAsync()
    {
        var lines = new List<string>();
        foreach (var path in WatchedLists)
        {
            var (status, body, _) = await Cp.SendAsync(HttpMethod.Get, path);
            Assert.Equal(200, status);
            foreach (var item in body!["items"]!.AsArray())
            {
                lines.Add($"{path} {item!["metadata"]!["name"]} {item["metadata"]!["resourceVersion"]}");
            }
        }

        return lines;
    }

    /// <summary>Sends raw bytes; returns the status code and the response body as text.</summary>
    public async Task<(int Status, string Body)> SendAsync(HttpMethod method, string pathAndQuery, byte[] body, string contentType, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        using var response = await Cp.Client.SendAsync(request, ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    private async Task CreateAsync(string path, string json)
    {
        var (status, body, _) = await Cp.SendAsync(HttpMethod.Post, path, JsonNode.Parse(json));
        Assert.True(status == 201, $"creating {path}: {status} {body?.ToJsonString()}");
    }
}
