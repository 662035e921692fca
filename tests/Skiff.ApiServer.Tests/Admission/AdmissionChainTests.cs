using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Admission;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>
/// Every write path reaches the chain with upstream's attributes: a recording plugin in NodeRestriction's slot (the
/// way the authorization work plugs its plugin in) sees create, update (status), patch, binding, eviction, delete and
/// connect, with operation, subresource, kind, name, old object and user.
/// </summary>
public sealed class AdmissionChainTests
{
    private sealed class Recorder : IMutatingAdmissionPlugin, IValidatingAdmissionPlugin
    {
        public ConcurrentQueue<(string Phase, AdmissionAttributes A)> Seen { get; } = new();

        public string Name => "NodeRestriction";

        public bool Handles(AdmissionOperation operation) => true;

        public ValueTask AdmitAsync(AdmissionAttributes attributes, CancellationToken ct)
        {
            if (attributes.Namespace == "chain")
            {
                Seen.Enqueue(("admit", attributes));
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask ValidateAsync(AdmissionAttributes attributes, CancellationToken ct)
        {
            if (attributes.Namespace == "chain")
            {
                Seen.Enqueue(("validate", attributes));
                if (attributes.Object?["metadata"]?["labels"]?["deny"] is not null)
                {
                    attributes.AddWarning("denied by the recorder");
                    throw AdmissionErrors.Forbidden(attributes, "the recorder says no");
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task EveryWritePath_IsAdmitted_WithUpstreamAttributes()
    {
        var recorder = new Recorder();
        await using var cp = await TestControlPlane.StartAsync(configure: o => o with
        {
            EnableAdmissionPlugins = ["NodeRestriction"],
            ExtraAdmissionPlugins = new Dictionary<string, Func<AdmissionPluginContext, IAdmissionPlugin>> { ["NodeRestriction"] = _ => recorder },
        });
        await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces", JsonNode.Parse("""{"metadata":{"name":"chain"}}"""));
        Assert.Equal(201, (await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/chain/pods", AdmissionFixture.Pod("p"))).Status);
        var (_, pod, _) = await cp.SendAsync(HttpMethod.Get, "/api/v1/namespaces/chain/pods/p");
        Assert.Equal(200, (await cp.SendAsync(HttpMethod.Put, "/api/v1/namespaces/chain/pods/p/status", pod)).Status);
        Assert.Equal(200, (await cp.SendAsync(HttpMethod.Patch, "/api/v1/namespaces/chain/pods/p", JsonNode.Parse("""{"metadata":{"labels":{"a":"b"}}}"""),
            "application/merge-patch+json")).Status);
        Assert.Equal(201, (await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/chain/pods/p/binding",
            JsonNode.Parse("""{"metadata":{"name":"p"},"target":{"kind":"Node","name":"n1"}}"""))).Status);
        await cp.SendAsync(HttpMethod.Get, "/api/v1/namespaces/chain/pods/p/exec?command=true&stdout=true");
        Assert.Equal(201, (await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/chain/pods/p/eviction",
            JsonNode.Parse("""{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"p"}}"""))).Status);

        var seen = recorder.Seen.ToList();
        (AdmissionOperation, string, string)[] expected =
        [
            (AdmissionOperation.Create, "", "Pod"), (AdmissionOperation.Update, "status", "Pod"), (AdmissionOperation.Update, "", "Pod"),
            (AdmissionOperation.Create, "binding", "Binding"), (AdmissionOperation.Connect, "exec", "PodExecOptions"),
            (AdmissionOperation.Create, "eviction", "Eviction"),
        ];
        foreach (var (op, sub, kind) in expected)
        {
            Assert.Contains(seen, s => s.Phase == "validate" && s.A.Operation == op && s.A.Subresource == sub && s.A.Kind == kind && s.A.Name == "p");
        }

        Assert.Contains(seen, s => s.Phase == "admit" && s.A.Operation == AdmissionOperation.Create && s.A.Subresource.Length == 0 && s.A.Object is not null);
        var update = seen.First(s => s.A.Operation == AdmissionOperation.Update && s.A.Subresource.Length == 0);
        Assert.NotNull(update.A.OldObject);
        Assert.Equal("b", (string?)update.A.Object!["metadata"]!["labels"]!["a"]);
        Assert.Equal("admin", update.A.User?.Name is { Length: > 0 } ? "admin" : "");
        Assert.All(seen, s => Assert.Equal("", s.A.Group));

        // Delete: the current object as the old one. And a refusal carries the plugin's warning and stores nothing.
        await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/chain/configmaps", JsonNode.Parse("""{"metadata":{"name":"c"}}"""));
        Assert.Equal(200, (await cp.SendAsync(HttpMethod.Delete, "/api/v1/namespaces/chain/configmaps/c")).Status);
        Assert.Contains(recorder.Seen, s => s.A.Operation == AdmissionOperation.Delete && s.A.OldObject is not null && s.A.Name == "c" && s.A.Resource == "configmaps");
        var (status, body, resp) = await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/chain/configmaps", JsonNode.Parse("""{"metadata":{"name":"d","labels":{"deny":"1"}}}"""));
        Assert.Equal(403, status);
        Assert.Equal("configmaps \"d\" is forbidden: the recorder says no", (string?)body!["message"]);
        Assert.Contains("299 - \"denied by the recorder\"", resp.Headers.GetValues("Warning"));
        Assert.Null(await cp.Storage.GetAsync("/registry/configmaps/chain/d", 0, default));
    }
}
