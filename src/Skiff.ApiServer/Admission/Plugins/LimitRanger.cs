using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Api.Quota;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's <c>LimitRanger</c> (<c>plugin/pkg/admission/limitranger</c>) over the namespace's LimitRanges. On pod
/// creation (mutating) each container and init container gets the <c>Container</c> items' <c>defaultRequest</c> and
/// <c>default</c> (limit) for what it leaves out, recorded in the <c>kubernetes.io/limit-ranger</c> annotation as
/// upstream words it. Then (validating) pods are checked per Container and per Pod (min, max, maxLimitRequestRatio)
/// and PersistentVolumeClaims on create and update (min, max of the storage request); violations are 403 with
/// upstream's messages (<c>maximum cpu usage per Container is 1, but limit is 2</c>), several as <c>[a, b]</c>.
/// </summary>
public sealed class LimitRanger(AdmissionReader reader) : IMutatingAdmissionPlugin, IValidatingAdmissionPlugin
{
    private const string Annotation = "kubernetes.io/limit-ranger";

    /// <inheritdoc/>
    public string Name => "LimitRanger";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => operation is AdmissionOperation.Create or AdmissionOperation.Update;

    private static bool Applies(AdmissionAttributes a) =>
        a.Object is not null && a.Namespace.Length > 0
        && ((a.IsCore("pods") && a.Operation == AdmissionOperation.Create) || a.IsCore("persistentvolumeclaims"));

    /// <inheritdoc/>
    public async ValueTask AdmitAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (!Applies(a) || !a.IsCore("pods"))
        {
            return;
        }

        var items = await ItemsAsync(a.Namespace, "Container", ct).ConfigureAwait(false);
        if (items.Count == 0)
        {
            return;
        }

        var defaultLimits = new JsonObject();
        var defaultRequests = new JsonObject();
        foreach (var item in items)
        {
            foreach (var (k, v) in item["default"] as JsonObject ?? [])
            {
                defaultLimits[k] = v?.DeepClone();
            }

            foreach (var (k, v) in item["defaultRequest"] as JsonObject ?? [])
            {
                defaultRequests[k] = v?.DeepClone();
            }
        }

        var pod = a.Object!;
        var notes = new List<string>();
        foreach (var (list, label) in (ReadOnlySpan<(string, string)>)[("containers", "container"), ("initContainers", "init container")])
        {
            foreach (var c in JsonPath.Objects(pod, "spec", list))
            {
                var resources = JsonPath.Ensure(c, "resources");
                var setRequests = Merge(resources, "requests", defaultRequests);
                var setLimits = Merge(resources, "limits", defaultLimits);
                var name = JsonPath.Str(c, "name") ?? "";
                if (setRequests.Count > 0)
                {
                    notes.Add($"{string.Join(", ", setRequests)} request for {label} {name}");
                }

                if (setLimits.Count > 0)
                {
                    notes.Add($"{string.Join(", ", setLimits)} limit for {label} {name}");
                }
            }
        }

        if (notes.Count > 0)
        {
            JsonPath.Ensure(pod, "metadata", "annotations")[Annotation] = "LimitRanger plugin set: " + string.Join("; ", notes);
        }
    }

    private static List<string> Merge(JsonObject resources, string kind, JsonObject defaults)
    {
        var set = new List<string>();
        if (defaults.Count == 0)
        {
            return set;
        }

        var target = resources[kind] as JsonObject;
        foreach (var (k, v) in defaults)
        {
            if (target?[k] is null)
            {
                if (target is null)
                {
                    resources[kind] = target = [];
                }

                target[k] = v?.DeepClone();
                set.Add(k);
            }
        }

        set.Sort(StringComparer.Ordinal);
        return set;
    }

    /// <inheritdoc/>
    public async ValueTask ValidateAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (!Applies(a))
        {
            return;
        }

        var errors = new List<string>();
        var obj = a.Object!;
        if (a.IsCore("pods"))
        {
            foreach (var item in await ItemsAsync(a.Namespace, "Container", ct).ConfigureAwait(false))
            {
                if (!Constrains(item))
                {
                    continue; // only defaults (the common LimitRange): no container's resources need parsing
                }

                foreach (var c in JsonPath.Objects(obj, "spec", "initContainers").Concat(JsonPath.Objects(obj, "spec", "containers")))
                {
                    Check(item, "Container", QuotaUsage.FromJson(c["resources"]?["requests"]), QuotaUsage.FromJson(c["resources"]?["limits"]), errors);
                }
            }

            foreach (var item in await ItemsAsync(a.Namespace, "Pod", ct).ConfigureAwait(false))
            {
                if (!Constrains(item))
                {
                    continue;
                }

                Check(item, "Pod", QuotaUsage.PodResources(obj, "requests"), QuotaUsage.PodResources(obj, "limits"), errors);
            }
        }
        else
        {
            foreach (var item in await ItemsAsync(a.Namespace, "PersistentVolumeClaim", ct).ConfigureAwait(false))
            {
                var requests = QuotaUsage.FromJson(obj["spec"]?["resources"]?["requests"]);
                foreach (var (k, min) in QuotaUsage.FromJson(item["min"]))
                {
                    Min("PersistentVolumeClaim", k, min, requests, [], errors);
                }

                foreach (var (k, max) in QuotaUsage.FromJson(item["max"]))
                {
                    if (!requests.TryGetValue(k, out var req))
                    {
                        errors.Add($"maximum {k} usage per PersistentVolumeClaim is {max}.  No request is specified");
                    }
                    else if (req.Value > max.Value)
                    {
                        errors.Add($"maximum {k} usage per PersistentVolumeClaim is {max}, but request is {Text(obj["spec"]?["resources"]?["requests"]?[k], req)}");
                    }
                }
            }
        }

        if (errors.Count > 0)
        {
            throw AdmissionErrors.Forbidden(a, AdmissionErrors.Aggregate(errors));
        }
    }

    private static void Check(JsonObject item, string type, Dictionary<string, QuotaQuantity> requests, Dictionary<string, QuotaQuantity> limits, List<string> errors)
    {
        foreach (var (k, min) in QuotaUsage.FromJson(item["min"]))
        {
            Min(type, k, min, requests, limits, errors);
        }

        foreach (var (k, max) in QuotaUsage.FromJson(item["max"]))
        {
            if (!limits.TryGetValue(k, out var lim))
            {
                errors.Add($"maximum {k} usage per {type} is {max}.  No limit is specified");
            }
            else if (lim.Value > max.Value)
            {
                errors.Add($"maximum {k} usage per {type} is {max}, but limit is {lim}");
            }
            else if (requests.TryGetValue(k, out var req) && req.Value > max.Value)
            {
                errors.Add($"maximum {k} usage per {type} is {max}, but request is {req}");
            }
        }

        foreach (var (k, ratio) in QuotaUsage.FromJson(item["maxLimitRequestRatio"]))
        {
            if (!requests.TryGetValue(k, out var req) || req.Value == 0)
            {
                errors.Add($"{k} max limit to request ratio per {type} is {ratio}, but no request is specified or request is 0");
            }
            else if (!limits.TryGetValue(k, out var lim) || lim.Value == 0)
            {
                errors.Add($"{k} max limit to request ratio per {type} is {ratio}, but no limit is specified or limit is 0");
            }
            else if (lim.Value / req.Value > ratio.Value)
            {
                errors.Add($"{k} max limit to request ratio per {type} is {ratio}, but provided ratio is {((double)(lim.Value / req.Value)).ToString("F6", CultureInfo.InvariantCulture)}");
            }
        }
    }

    /// <summary>Whether <paramref name="item"/> has a min, max or maxLimitRequestRatio that <see cref="Check"/> could fail.</summary>
    private static bool Constrains(JsonObject item) =>
        item["min"] is not (null or JsonObject { Count: 0 })
        || item["max"] is not (null or JsonObject { Count: 0 })
        || item["maxLimitRequestRatio"] is not (null or JsonObject { Count: 0 });

    private static void Min(string type, string k, QuotaQuantity min, Dictionary<string, QuotaQuantity> requests, Dictionary<string, QuotaQuantity> limits, List<string> errors)
    {
        if (!requests.TryGetValue(k, out var req))
        {
            errors.Add($"minimum {k} usage per {type} is {min}.  No request is specified");
        }
        else if (req.Value < min.Value)
        {
            errors.Add($"minimum {k} usage per {type} is {min}, but request is {req}");
        }
        else if (limits.TryGetValue(k, out var lim) && lim.Value < min.Value)
        {
            errors.Add($"minimum {k} usage per {type} is {min}, but limit is {lim}");
        }
    }

    private static string Text(JsonNode? node, QuotaQuantity q) => JsonPath.AsString(node) ?? q.ToString();

    private async Task<List<JsonObject>> ItemsAsync(string ns, string type, CancellationToken ct)
    {
        var ranges = await reader.ListAsync("", "limitranges", ns, ct).ConfigureAwait(false);
        return ranges.SelectMany(r => JsonPath.Objects(r, "spec", "limits")).Where(i => JsonPath.Str(i, "type") == type).ToList();
    }
}
