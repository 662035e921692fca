using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Networking;

/// <summary>networking.k8s.io/v1 ingresses: pathType required, backend service or resource; generation tracks the spec; CLASS/HOSTS/ADDRESS/PORTS printer.</summary>
public sealed class IngressStrategy : ResourceStrategy
{
    private static readonly string[] PathTypes = ["Exact", "ImplementationSpecific", "Prefix"];

    /// <summary>The shared instance.</summary>
    public static IngressStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var spec = JsonPath.Obj(obj, "spec");
        var rules = JsonPath.Objects(spec, "rules").ToList();
        if (rules.Count == 0 && JsonPath.Obj(spec, "defaultBackend") is null)
        {
            yield return FieldError.Invalid("spec.rules", "[]networking.IngressRule(nil)", "either `defaultBackend` or `rules` must be specified");
        }

        for (var r = 0; r < rules.Count; r++)
        {
            var p = 0;
            foreach (var path in JsonPath.Objects(rules[r], "http", "paths"))
            {
                var pp = $"spec.rules[{r}].http.paths[{p++}]";
                var pathType = JsonPath.Str(path, "pathType");
                if (pathType is null)
                {
                    yield return FieldError.Required(pp + ".pathType", "pathType must be specified");
                }
                else if (!PathTypes.Contains(pathType))
                {
                    yield return FieldError.NotSupported(pp + ".pathType", Rules.Q(pathType), PathTypes);
                }

                if (pathType is "Exact" or "Prefix" && !(JsonPath.Str(path, "path") ?? "").StartsWith('/'))
                {
                    yield return FieldError.Invalid(pp + ".path", Rules.Q(JsonPath.Str(path, "path") ?? ""), "must be an absolute path");
                }

                var backend = JsonPath.Obj(path, "backend");
                if (JsonPath.Obj(backend, "service") is null && JsonPath.Obj(backend, "resource") is null)
                {
                    yield return FieldError.Invalid(pp + ".backend", "networking.IngressBackend{...}", "one backend (`service` or `resource`) must be specified");
                }
            }
        }
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Class", "The name of the IngressClass resource that should be used for additional configuration"),
            Columns.S("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
            Columns.S("Address", "Address is a list containing ingress points for the load-balancer"),
            Columns.S("Ports", "Ports of TLS configurations that open"),
            Columns.Age,
        ],
        (o, now) =>
        {
            var rules = JsonPath.Objects(o, "spec", "rules").ToList();
            const int max = 3;
            var hosts = new List<string>();
            var more = false;
            foreach (var rule in rules)
            {
                if (hosts.Count == max)
                {
                    more = true;
                }

                if (!more && JsonPath.Str(rule, "host") is { Length: > 0 } h)
                {
                    hosts.Add(h);
                }
            }

            var hostText = hosts.Count == 0 ? "*" : more ? $"{string.Join(",", hosts)} + {rules.Count - max} more..." : string.Join(",", hosts);
            var addresses = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var ing in JsonPath.Objects(o, "status", "loadBalancer", "ingress"))
            {
                if (JsonPath.Str(ing, "ip") is { Length: > 0 } ip)
                {
                    addresses.Add(ip);
                }
                else if (JsonPath.Str(ing, "hostname") is { Length: > 0 } hn)
                {
                    addresses.Add(hn);
                }
            }

            var ports = JsonPath.Arr(o, "spec", "tls") is { Count: > 0 } ? "80, 443" : "80";
            return [JsonPath.Name(o), JsonPath.Str(o, "spec", "ingressClassName") ?? "<none>", hostText, string.Join(",", addresses), ports, Cells.Age(o, now)];
        });
}
