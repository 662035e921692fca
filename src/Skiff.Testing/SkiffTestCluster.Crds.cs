using k8s;
using k8s.Models;
using Skiff.Client.Options;

namespace Skiff.Testing;

public sealed partial class SkiffTestCluster
{
    /// <summary>
    /// Creates <paramref name="crds"/> (or replaces their spec when they exist) and waits until every one is Established,
    /// so its custom resources are served when this returns. Throws <see cref="TimeoutException"/> (with the CRD's
    /// conditions) when one is not Established within <paramref name="deadline"/> (default 30 s), e.g. on a name conflict.
    /// </summary>
    public async Task InstallCustomResourceDefinitionsAsync(IEnumerable<V1CustomResourceDefinition> crds, TimeSpan? deadline = null, CancellationToken ct = default)
    {
        var client = Clientset.Resource<V1CustomResourceDefinition, V1CustomResourceDefinitionList>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var crd in crds)
        {
            crd.ApiVersion ??= "apiextensions.k8s.io/v1";
            crd.Kind ??= "CustomResourceDefinition";
            names.Add(crd.Metadata.Name);
            try
            {
                await client.CreateAsync(crd, ct: ct).ConfigureAwait(false);
            }
            catch (Skiff.Client.Rest.KubernetesApiException e) when (e.Status.Code == 409)
            {
                var existing = await client.GetAsync(crd.Metadata.Name, ct: ct).ConfigureAwait(false);
                existing.Spec = crd.Spec;
                await client.UpdateAsync(existing, ct: ct).ConfigureAwait(false);
            }
        }

        try
        {
            await ListWatch.UntilAsync(client, items => names.All(n => items.Any(i => i.Metadata.Name == n && IsEstablished(i))),
                deadline ?? TimeSpan.FromSeconds(30), new ListOptions(), ct).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"CustomResourceDefinitions {string.Join(", ", names)} were not all Established: {e.Message}", e);
        }
    }

    /// <summary>Whether <paramref name="crd"/>'s Established condition is True.</summary>
    public static bool IsEstablished(V1CustomResourceDefinition crd) =>
        crd.Status?.Conditions?.Any(c => c.Type == "Established" && c.Status == "True") == true;

    /// <summary>The CustomResourceDefinitions in a YAML or JSON file of one or more documents (other kinds are skipped).</summary>
    public static IReadOnlyList<V1CustomResourceDefinition> ReadCustomResourceDefinitions(string path)
    {
        var objects = KubernetesYaml.LoadAllFromString(File.ReadAllText(path));
        return [.. objects.OfType<V1CustomResourceDefinition>()];
    }
}
