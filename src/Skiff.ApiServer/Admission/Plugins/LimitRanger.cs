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

    private readonly DerivedCache<IReadOnlyList<JsonObject>, PodRanges> _podRanges = new(PodRanges.Of, static (p, ranges) => p.IsFor(ranges));

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

        var ranges = await RangesAsync(a.Namespace, ct).ConfigureAwait(false);
        if (!ranges.HasContainerItems)
        {
            return;
        }

        var pod = a.Object!;
        List<string>? notes = null;
        foreach (var (list, label) in (ReadOnlySpan<(string, string)>)[("containers", "container"), ("initContainers", "init container")])
        {
            if (JsonPath.Arr(pod, "spec", list) is not { } containers)
            {
                continue;
            }

            for (var i = 0; i < containers.Count; i++)
            {
                if (containers[i] is not JsonObject c)
                {
                    continue;
                }

                var resources = JsonPath.Ensure(c, "resources");
                var setRequests = Merge(resources, "requests", ranges.DefaultRequests);
                var setLimits = Merge(resources, "limits", ranges.DefaultLimits);
                var name = JsonPath.Str(c, "name") ?? "";
                if (setRequests is not null)
                {
                    (notes ??= []).Add($"{string.Join(", ", setRequests)} request for {label} {name}");
                }

                if (setLimits is not null)
                {
                    (notes ??= []).Add($"{string.Join(", ", setLimits)} limit for {label} {name}");
                }
            }
        }

        if (notes is not null)
        {
            JsonPath.Ensure(pod, "metadata", "annotations")[Annotation] = "LimitRanger plugin set: " + string.Join("; ", notes);
        }
    }

    /// <summary>
    /// Sets the <paramref name="defaults"/> (sorted by name) that <paramref name="resources"/>' <paramref name="kind"/>
    /// lacks; returns the names set, in order, or null when none.
    /// </summary>
    private static List<string>? Merge(JsonObject resources, string kind, (string Name, JsonNode? Value)[] defaults)
    {
        if (defaults.Length == 0)
        {
            return null;
        }

        List<string>? set = null;
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
                (set ??= []).Add(k);
            }
        }

        return set;
    }

    /// <inheritdoc/>
    public async ValueTask ValidateAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (!Applies(a))
        {
            return;
        }

        var errors = new List<string>(0);
        var obj = a.Object!;
        if (a.IsCore("pods"))
        {
            var ranges = await RangesAsync(a.Namespace, ct).ConfigureAwait(false);
            foreach (var item in ranges.ConstrainingContainer)
            {
                // Items with only defaults (the common LimitRange) are left out: no container's resources need parsing.
                foreach (var c in JsonPath.Objects(obj, "spec", "initContainers").Concat(JsonPath.Objects(obj, "spec", "containers")))
                {
                    Check(item, "Container", QuotaUsage.FromJson(c["resources"]?["requests"]), QuotaUsage.FromJson(c["resources"]?["limits"]), errors);
                }
            }

            foreach (var item in ranges.ConstrainingPod)
            {
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

    /// <summary>
    /// What pods need of the namespace's LimitRanges, worked out once per set of LimitRange versions (the reader hands
    /// out the same object per version, so an unchanged set is the same references).
    /// </summary>
    private async Task<PodRanges> RangesAsync(string ns, CancellationToken ct)
    {
        var ranges = await reader.ListAsync("", "limitranges", ns, ct).ConfigureAwait(false);
        return _podRanges.Get(ns, ranges);
    }

    /// <summary>
    /// The Container items' merged defaults (later items win, as the items are merged in order; sorted by name, the
    /// order the annotation lists them in) and the Container and Pod items that constrain anything.
    /// </summary>
    private sealed class PodRanges
    {
        private JsonObject[] _ranges = [];

        public bool HasContainerItems { get; private init; }

        public (string Name, JsonNode? Value)[] DefaultRequests { get; private init; } = [];

        public (string Name, JsonNode? Value)[] DefaultLimits { get; private init; } = [];

        public JsonObject[] ConstrainingContainer { get; private init; } = [];

        public JsonObject[] ConstrainingPod { get; private init; } = [];

        public bool IsFor(IReadOnlyList<JsonObject> ranges)
        {
            if (ranges.Count != _ranges.Length)
            {
                return false;
            }

            for (var i = 0; i < _ranges.Length; i++)
            {
                if (!ReferenceEquals(ranges[i], _ranges[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public static PodRanges Of(IReadOnlyList<JsonObject> ranges)
        {
            var items = ranges.SelectMany(r => JsonPath.Objects(r, "spec", "limits")).ToList();
            var containers = items.Where(i => JsonPath.Str(i, "type") == "Container").ToList();
            return new PodRanges
            {
                _ranges = [.. ranges],
                HasContainerItems = containers.Count > 0,
                DefaultRequests = Defaults(containers, "defaultRequest"),
                DefaultLimits = Defaults(containers, "default"),
                ConstrainingContainer = containers.Where(Constrains).ToArray(),
                ConstrainingPod = items.Where(i => JsonPath.Str(i, "type") == "Pod" && Constrains(i)).ToArray(),
            };
        }

        private static (string, JsonNode?)[] Defaults(List<JsonObject> containerItems, string field)
        {
            var merged = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
            foreach (var item in containerItems)
            {
                foreach (var (k, v) in item[field] as JsonObject ?? [])
                {
                    merged[k] = v;
                }
            }

            return merged.Select(p => (p.Key, p.Value)).ToArray();
        }
    }
}
