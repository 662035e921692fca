using System.Reflection;
using k8s;
using k8s.Models;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ClientCompat.Tests;

/// <summary>
/// The official .NET client (KubernetesClient's <see cref="Kubernetes"/>, configured from the admin kubeconfig):
/// typed creates and reads of a fresh object of every built-in kind, and JSON patches as the client sends them.
/// </summary>
public sealed class DotNetClientTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private const string Namespace = "compat";

    private static readonly MethodInfo RoundTripMethod = typeof(DotNetClientTests).GetMethod(nameof(RoundTripAsync), BindingFlags.NonPublic | BindingFlags.Static)!;

    private Kubernetes Client() => new(KubernetesClientConfiguration.BuildConfigFromConfigFile(f.Cp.KubeconfigPath));

    [Fact]
    public async Task EveryBuiltInKind_CreatedFresh_ReadsBackThroughTypedModels()
    {
        using var client = Client();
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = Namespace } });
        var yaml = await File.ReadAllTextAsync(Path.Combine(ExternalClient.ProjectDirectory, "samples", "every-kind.yaml"));
        var objects = KubernetesYaml.LoadAllFromString(yaml);

        // Every kind the server stores has a sample, so a kind added later is covered (or this fails by name).
        var stored = TestControlPlane.DefaultResources
            .Where(d => d.Verbs.Contains("create") && d.Verbs.Contains("get") && d.Kind is not ("Binding" or "ComponentStatus"))
            .Select(d => $"{d.GroupVersion}/{d.Kind}")
            .ToHashSet();
        var sampled = objects.Cast<IKubernetesObject>().Select(o => $"{o.ApiVersion}/{o.Kind}").ToHashSet();
        Assert.Empty(stored.Except(sampled));

        foreach (var obj in objects)
        {
            var namespaced = TestControlPlane.DefaultResources.Single(d => $"{d.GroupVersion}/{d.Kind}" == $"{((IKubernetesObject)obj).ApiVersion}/{((IKubernetesObject)obj).Kind}").Namespaced;
            await (Task)RoundTripMethod.MakeGenericMethod(obj.GetType()).Invoke(null, [client, obj, namespaced])!;
        }

        // The fields the issue found missing, through the typed models.
        var ds = await client.AppsV1.ReadNamespacedDaemonSetStatusAsync("compat-ds", Namespace);
        Assert.Equal((0, 0, 0, 0), (ds.Status.CurrentNumberScheduled, ds.Status.NumberMisscheduled, ds.Status.DesiredNumberScheduled, ds.Status.NumberReady));
        var node = await client.CoreV1.ReadNodeAsync("compat-node");
        Assert.Null(node.Spec.Unschedulable);
        Assert.False(node.Metadata.ManagedFields is { Count: 0 }, "empty managedFields");
    }

    /// <summary>Creates <paramref name="obj"/> and reads it back with the typed generic client; spec and status are present.</summary>
    private static async Task RoundTripAsync<T>(Kubernetes client, T obj, bool namespaced)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var entity = typeof(T).GetCustomAttribute<KubernetesEntityAttribute>()!;
        using var generic = new GenericClient(client, entity.Group, entity.ApiVersion, entity.PluralName, disposeClient: false);
        var name = obj.Metadata.Name;
        var created = namespaced ? await generic.CreateNamespacedAsync(obj, Namespace) : await generic.CreateAsync(obj);
        Assert.Equal(name, created.Metadata.Name);
        var read = namespaced ? await generic.ReadNamespacedAsync<T>(Namespace, name) : await generic.ReadAsync<T>(name);
        Assert.Equal(name, read.Metadata.Name);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);
        Assert.False(read.Metadata.ManagedFields is { Count: 0 }, $"{typeof(T).Name}: empty managedFields");

        // Go writes spec and status (non-pointer structs) even when empty; the typed model must not see null.
        foreach (var property in new[] { "Spec", "Status" })
        {
            if (typeof(T).GetProperty(property) is { } p)
            {
                Assert.True(p.GetValue(read) is not null, $"{typeof(T).Name}.{property} is null");
            }
        }
    }

    [Fact]
    public async Task JsonPatches_AsTheClientSendsThem()
    {
        using var client = Client();
        await client.CoreV1.CreateNodeAsync(new V1Node { Metadata = new V1ObjectMeta { Name = "cordon-me" } });

        // kubectl-style cordon: replace a member the node's spec does not have yet.
        var cordon = new V1Patch("""[{"op":"replace","path":"/spec/unschedulable","value":true}]""", V1Patch.PatchType.JsonPatch);
        var cordoned = await client.CoreV1.PatchNodeAsync(cordon, "cordon-me");
        Assert.True(cordoned.Spec.Unschedulable);

        var labels = new V1Patch(new { metadata = new { labels = new Dictionary<string, string> { ["zone"] = "a" } } }, V1Patch.PatchType.MergePatch);
        var labelled = await client.CoreV1.PatchNodeAsync(labels, "cordon-me");
        Assert.Equal("a", labelled.Metadata.Labels["zone"]);

        var uncordon = new V1Patch("""[{"op":"test","path":"/spec/unschedulable","value":true},{"op":"remove","path":"/spec/unschedulable"}]""", V1Patch.PatchType.JsonPatch);
        var uncordoned = await client.CoreV1.PatchNodeAsync(uncordon, "cordon-me");
        Assert.Null(uncordoned.Spec.Unschedulable);

        var failing = new V1Patch("""[{"op":"test","path":"/spec/unschedulable","value":true}]""", V1Patch.PatchType.JsonPatch);
        var e = await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => client.CoreV1.PatchNodeAsync(failing, "cordon-me"));
        Assert.Equal(System.Net.HttpStatusCode.UnprocessableEntity, e.Response.StatusCode);
    }
}
