using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Networking;

/// <summary>
/// networking.k8s.io/v1 networkpolicies: policyTypes default to Ingress (plus Egress when egress rules exist),
/// port protocols to TCP; the spec is validated as upstream's <c>ValidateNetworkPolicySpec</c>
/// (<see cref="NetworkPolicyValidation"/>); generation tracks the spec; POD-SELECTOR printer.
/// </summary>
public sealed class NetworkPolicyStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static NetworkPolicyStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonPath.Ensure(obj, "spec");
        JsonPath.Default(spec, "podSelector", new JsonObject());
        if (JsonPath.Arr(spec, "policyTypes") is null or { Count: 0 })
        {
            var types = new JsonArray("Ingress");
            if (JsonPath.Arr(spec, "egress") is { Count: > 0 })
            {
                types.Add("Egress");
            }

            spec["policyTypes"] = types;
        }

        foreach (var direction in (string[])["ingress", "egress"])
        {
            foreach (var rule in JsonPath.Objects(spec, direction))
            {
                foreach (var port in JsonPath.Objects(rule, "ports"))
                {
                    JsonPath.DefaultString(port, "protocol", "TCP");
                }
            }
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj) => NetworkPolicyValidation.Spec(JsonPath.Obj(obj, "spec"));

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Pod-Selector", "Selects the pods to which this NetworkPolicy object applies. The array of ingress rules is applied to any pods selected by this field. Multiple network policies can select the same set of pods. In this case, the ingress rules for each are combined additively. This field is NOT optional and follows standard label selector semantics. An empty podSelector matches all pods in this namespace."),
            Columns.Age,
        ],
        (o, now) => [JsonPath.Name(o), Cells.Selector(JsonPath.Get(o, "spec", "podSelector")), Cells.Age(o, now)]);
}
