using System.Text.Json.Nodes;
using k8s;
using Skiff.Client.Dynamic;
using Skiff.Client.Options;
using Skiff.Client.Schema;

namespace Skiff.Client.Tests.Integration;

/// <summary>Creates CustomResourceDefinitions on the test server and waits (on a watch) until they are Established.</summary>
public static class Crds
{
    public static readonly GroupVersionResource Resource = new("apiextensions.k8s.io", "v1", "customresourcedefinitions");

    /// <summary>Creates a CRD of <paramref name="group"/>/v1 with a status subresource and an open schema, and waits until it is served.</summary>
    public static async Task EstablishAsync(DynamicClient dynamic, string group, string kind, string plural, bool namespaced, CancellationToken ct = default)
    {
        var name = $"{plural}.{group}";
        var crd = new JsonObject
        {
            ["apiVersion"] = "apiextensions.k8s.io/v1",
            ["kind"] = "CustomResourceDefinition",
            ["metadata"] = new JsonObject { ["name"] = name },
            ["spec"] = new JsonObject
            {
                ["group"] = group,
                ["scope"] = namespaced ? "Namespaced" : "Cluster",
                ["names"] = new JsonObject { ["plural"] = plural, ["kind"] = kind },
                ["versions"] = new JsonArray(new JsonObject
                {
                    ["name"] = "v1",
                    ["served"] = true,
                    ["storage"] = true,
                    ["subresources"] = new JsonObject { ["status"] = new JsonObject() },
                    ["schema"] = new JsonObject { ["openAPIV3Schema"] = new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true } },
                }),
            },
        };
        var crds = dynamic.Resource(Resource);
        await crds.CreateAsync(crd, ct: ct);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        var list = await crds.ListAsync(new ListOptions { FieldSelector = $"metadata.name={name}" }, cts.Token);
        if (list["items"]!.AsArray().Any(i => Established(i!.AsObject())))
        {
            return;
        }

        var options = new ListOptions { FieldSelector = $"metadata.name={name}", ResourceVersion = (string?)list["metadata"]!["resourceVersion"] };
        await foreach (var e in crds.WatchAsync(options, cts.Token))
        {
            if (e.Type is WatchEventType.Added or WatchEventType.Modified && Established(e.Object))
            {
                return;
            }
        }

        throw new TimeoutException($"CRD {name} was not established");
    }

    private static bool Established(JsonObject crd)
        => crd["status"]?["conditions"] is JsonArray conditions
           && conditions.Any(c => (string?)c!["type"] == "Established" && (string?)c["status"] == "True");
}
