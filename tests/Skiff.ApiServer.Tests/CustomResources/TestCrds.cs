using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources;

/// <summary>Small CRDs for the serving tests, and helpers to create one and wait until it is served.</summary>
internal static class TestCrds
{
    /// <summary>
    /// A TFJob-like CRD in <paramref name="group"/>: namespaced, versions v1 (storage) and v1beta1, status and scale
    /// subresources, printer columns, shortName <c>tj</c> and category <c>all</c>.
    /// </summary>
    public static JsonObject TrainingJobs(string group = "kubeflow.example.com") => JsonNode.Parse("""
        {
          "apiVersion": "apiextensions.k8s.io/v1",
          "kind": "CustomResourceDefinition",
          "metadata": {"name": "trainingjobs.GROUP"},
          "spec": {
            "group": "GROUP",
            "scope": "Namespaced",
            "names": {"plural": "trainingjobs", "singular": "trainingjob", "kind": "TrainingJob", "listKind": "TrainingJobList",
                      "shortNames": ["tj"], "categories": ["all"]},
            "versions": [
              {"name": "v1", "served": true, "storage": true,
               "schema": {"openAPIV3Schema": {"type": "object", "description": "TrainingJob runs distributed training.",
                 "properties": {
                   "spec": {"type": "object", "description": "The desired training job.", "properties": {
                     "replicas": {"type": "integer", "description": "How many workers run."},
                     "image": {"type": "string", "description": "The worker image."},
                     "selector": {"type": "string"}}},
                   "status": {"type": "object", "properties": {
                     "replicas": {"type": "integer"},
                     "phase": {"type": "string"},
                     "selector": {"type": "string"}}}}}},
               "subresources": {"status": {}, "scale": {"specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.replicas", "labelSelectorPath": ".status.selector"}},
               "additionalPrinterColumns": [
                 {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"},
                 {"name": "Image", "type": "string", "jsonPath": ".spec.image"},
                 {"name": "Phase", "type": "string", "jsonPath": ".status.phase"},
                 {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}]},
              {"name": "v1beta1", "served": true, "storage": false,
               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}
            ]
          }
        }
        """.Replace("GROUP", group, StringComparison.Ordinal))!.AsObject();

    /// <summary>A cluster-scoped CRD without subresources or columns (served with the default Age column).</summary>
    public static JsonObject Widgets(string group, string plural = "widgets", string kind = "Widget") => JsonNode.Parse("""
        {
          "apiVersion": "apiextensions.k8s.io/v1",
          "kind": "CustomResourceDefinition",
          "metadata": {"name": "PLURAL.GROUP"},
          "spec": {
            "group": "GROUP",
            "scope": "Cluster",
            "names": {"plural": "PLURAL", "kind": "KIND"},
            "versions": [{"name": "v1", "served": true, "storage": true,
              "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]
          }
        }
        """.Replace("GROUP", group, StringComparison.Ordinal).Replace("PLURAL", plural, StringComparison.Ordinal).Replace("KIND", kind, StringComparison.Ordinal))!.AsObject();

    /// <summary>Creates <paramref name="crd"/> and waits (on a watch) until its Established or NamesAccepted condition is settled.</summary>
    public static async Task<JsonObject> CreateAsync(TestControlPlane cp, JsonObject crd, string condition = "Established", string status = "True", CancellationToken ct = default)
    {
        var (code, body, _) = await cp.SendAsync(HttpMethod.Post, "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd, ct: ct);
        Assert.True(code == 201, $"create CRD: {code} {body}");
        return await WaitForAsync(cp, crd["metadata"]!["name"]!.GetValue<string>(), c => HasCondition(c, condition, status), ct);
    }

    /// <summary>True when <paramref name="crd"/> has <paramref name="type"/> with <paramref name="status"/>.</summary>
    public static bool HasCondition(JsonObject crd, string type, string status) =>
        crd["status"]?["conditions"] is JsonArray conditions
        && conditions.Any(c => c?["type"]?.GetValue<string>() == type && c?["status"]?.GetValue<string>() == status);

    /// <summary>Watches the named CRD until <paramref name="predicate"/> holds (or it is deleted, when the predicate accepts null); 30 s deadline.</summary>
    public static async Task<JsonObject> WaitForAsync(TestControlPlane cp, string name, Func<JsonObject, bool> predicate, CancellationToken ct = default)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(TimeSpan.FromSeconds(30));
        var result = await WatchUntilAsync(cp, $"/apis/apiextensions.k8s.io/v1/customresourcedefinitions?fieldSelector=metadata.name%3D{name}", (type, obj) => type != "DELETED" && predicate(obj), cts.Token);
        return result!;
    }

    /// <summary>
    /// Opens a watch (initial ADDED events included) on <paramref name="path"/> and returns the first object for which
    /// <paramref name="until"/> holds; throws when the token fires first.
    /// </summary>
    public static async Task<JsonObject?> WatchUntilAsync(TestControlPlane cp, string path, Func<string, JsonObject, bool> until, CancellationToken ct)
    {
        var sep = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        using var req = new HttpRequestMessage(HttpMethod.Get, $"{path}{sep}watch=true");
        using var resp = await cp.Client.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.True(resp.IsSuccessStatusCode, $"watch {path}: {(int)resp.StatusCode}");
        using var reader = new StreamReader(await resp.Content.ReadAsStreamAsync(ct));
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            var ev = JsonNode.Parse(line)!;
            var type = ev["type"]!.GetValue<string>();
            if (ev["object"] is JsonObject obj && type != "BOOKMARK" && until(type, obj))
            {
                return obj;
            }
        }

        throw new InvalidOperationException($"watch {path} ended");
    }

    /// <summary>A TrainingJob object.</summary>
    public static JsonObject Job(string name, long replicas, string apiVersion = "kubeflow.example.com/v1") => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = "TrainingJob",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["replicas"] = replicas, ["image"] = "trainer:1" },
    };
}
