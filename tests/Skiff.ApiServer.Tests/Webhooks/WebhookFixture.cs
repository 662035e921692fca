using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Webhooks;

/// <summary>A control plane (default admission chain, webhooks on) and a TLS webhook server with its own CA.</summary>
public sealed class WebhookFixture : IAsyncLifetime
{
    private int _next;

    public TestControlPlane Cp { get; private set; } = null!;

    public TestWebhookServer Server { get; private set; } = null!;

    public Kubectl Kubectl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Cp = await TestControlPlane.StartAsync();
        Server = await TestWebhookServer.StartAsync("hooks.webhook-system.svc");
        Kubectl = new Kubectl(Cp.KubeconfigPath);
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        await Cp.DisposeAsync();
    }

    /// <summary>A fresh namespace labelled <c>webhook-test=&lt;name&gt;</c> (tests scope their webhooks to it).</summary>
    public async Task<string> NamespaceAsync(string prefix)
    {
        var name = $"{prefix}-{Interlocked.Increment(ref _next)}";
        var (status, body, _) = await Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces",
            new JsonObject { ["metadata"] = new JsonObject { ["name"] = name, ["labels"] = new JsonObject { ["webhook-test"] = name } } });
        Assert.True(status == 201, body?.ToJsonString());
        return name;
    }

    /// <summary>Runs kubectl with <paramref name="stdin"/>.</summary>
    public Task<(int Exit, string Out, string Err)> RunAsync(string stdin, params string[] args) => Kubectl.RunAsync(args, stdin);

    /// <summary>
    /// Polls <paramref name="attempt"/> until it returns true (configurations reach admission through the watch
    /// cache, a moment after their write); fails after 60 s (an attempt may run kubectl, which takes seconds to start
    /// on a loaded machine: 10 s left room for a handful of attempts).
    /// </summary>
    public static async Task EventuallyAsync(Func<Task<bool>> attempt, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await attempt())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(50);
        }
    }

    /// <summary>A webhook entry (v1) for pods CREATE in the test's namespace, calling <paramref name="url"/>.</summary>
    public string Hook(string name, string ns, string url, string extra = "", string operations = "[CREATE]", string resources = "[pods]") => $$"""
          - name: {{name}}
            admissionReviewVersions: [v1]
            sideEffects: None
            clientConfig: {url: "{{url}}", caBundle: {{Server.CaBundle}} }
            rules: [{operations: {{operations}}, apiGroups: [""], apiVersions: [v1], resources: {{resources}} }]
            namespaceSelector: {matchLabels: {webhook-test: "{{ns}}"} }
        {{extra}}
        """;
}
