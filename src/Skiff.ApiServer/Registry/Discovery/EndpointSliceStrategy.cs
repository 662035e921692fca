using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Discovery;

/// <summary>
/// discovery.k8s.io/v1 endpointslices: addressType required (IPv4, IPv6, FQDN) and immutable, port protocols
/// default to TCP; printer with up to three ports and endpoints.
/// </summary>
public sealed class EndpointSliceStrategy : ResourceStrategy
{
    private static readonly string[] AddressTypes = ["FQDN", "IPv4", "IPv6"];

    /// <summary>The shared instance.</summary>
    public static EndpointSliceStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => null;

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        foreach (var p in JsonPath.Objects(obj, "ports"))
        {
            JsonPath.DefaultString(p, "protocol", "TCP");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var type = JsonPath.Str(obj, "addressType");
        if (type is null or "")
        {
            yield return FieldError.Required("addressType");
        }
        else if (!AddressTypes.Contains(type))
        {
            yield return FieldError.NotSupported("addressType", Rules.Q(type), AddressTypes);
        }

        var i = 0;
        foreach (var e in JsonPath.Objects(obj, "endpoints"))
        {
            if (JsonPath.Arr(e, "addresses") is not { Count: > 0 })
            {
                yield return FieldError.Required($"endpoints[{i}].addresses", "must contain at least 1 address");
            }

            i++;
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj) =>
        ValidateCreate(newObj).Concat(Immutable(newObj["addressType"], oldObj["addressType"], "addressType"));

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("AddressType", "addressType specifies the type of address carried by this EndpointSlice. All addresses in this slice must be the same type. This field is immutable after creation. The following address types are currently supported: * IPv4: Represents an IPv4 Address. * IPv6: Represents an IPv6 Address. * FQDN: Represents a Fully Qualified Domain Name."),
            Columns.S("Ports", "ports specifies the list of network ports exposed by each endpoint in this slice. Each port must have a unique name. When ports is empty, it indicates that there are no defined ports. When a port is defined with a nil port value, it indicates \"all ports\". Each slice may include a maximum of 100 ports."),
            Columns.S("Endpoints", "endpoints is a list of unique endpoints in this slice. Each slice may include a maximum of 1000 endpoints."),
            Columns.Age,
        ],
        (o, now) =>
        {
            var ports = JsonPath.Objects(o, "ports").Select(p => JsonPath.Long(p, "port")?.ToString() ?? JsonPath.Str(p, "name") ?? "*");
            var addresses = JsonPath.Objects(o, "endpoints").SelectMany(e => (JsonPath.Arr(e, "addresses") ?? []).Select(a => JsonPath.AsString(a) ?? ""));
            return [JsonPath.Name(o), JsonPath.Str(o, "addressType") ?? "", ListWithMore(ports.ToList()), ListWithMore(addresses.ToList()), Cells.Age(o, now)];
        });

    /// <summary>upstream's <c>listWithMoreString</c> with a maximum of three entries.</summary>
    public static string ListWithMore(IReadOnlyList<string> items)
    {
        const int max = 3;
        var ret = string.Join(",", items.Take(max));
        if (items.Count > max)
        {
            return $"{ret} + {items.Count - max} more...";
        }

        return ret.Length == 0 ? "<unset>" : ret;
    }
}
