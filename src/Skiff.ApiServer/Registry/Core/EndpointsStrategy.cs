using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// core/v1 endpoints (<c>pkg/registry/core/endpoint/strategy.go</c>): PUT may create, port protocols default to
/// TCP, addresses need an IP; the printer lists up to three <c>ip:port</c> entries.
/// </summary>
public sealed class EndpointsStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static EndpointsStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool AllowCreateOnUpdate => true;

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [Columns.Name, Columns.S("Endpoints", "The set of all endpoints is the union of all subsets. Addresses are placed into subsets according to the IPs they share. A single address with multiple ports, some of which are ready and some of which are not (because they come from different containers) will result in the address being displayed in different subsets for the different ports. No address will appear in both Addresses and NotReadyAddresses in the same subset. Sets of addresses and ports that comprise a service."), Columns.Age],
        (o, now) => [JsonPath.Name(o), Format(o), Cells.Age(o, now)]);

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        foreach (var subset in JsonPath.Objects(obj, "subsets"))
        {
            foreach (var p in JsonPath.Objects(subset, "ports"))
            {
                JsonPath.DefaultString(p, "protocol", "TCP");
            }
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var si = 0;
        foreach (var subset in JsonPath.Objects(obj, "subsets"))
        {
            var ai = 0;
            foreach (var a in JsonPath.Objects(subset, "addresses"))
            {
                if (JsonPath.Str(a, "ip") is null or "")
                {
                    yield return FieldError.Required($"subsets[{si}].addresses[{ai}].ip");
                }

                ai++;
            }

            var pi = 0;
            foreach (var p in JsonPath.Objects(subset, "ports"))
            {
                var port = JsonPath.Long(p, "port") ?? 0;
                foreach (var m in Rules.PortNumber(port))
                {
                    yield return FieldError.Invalid($"subsets[{si}].ports[{pi}].port", port.ToString(), m);
                }

                pi++;
            }

            si++;
        }
    }

    /// <summary>upstream's <c>formatEndpoints</c> with all ports.</summary>
    public static string Format(JsonObject obj)
    {
        var subsets = JsonPath.Objects(obj, "subsets").ToList();
        if (subsets.Count == 0)
        {
            return "<none>";
        }

        const int max = 3;
        var list = new List<string>();
        var more = false;
        var count = 0;
        foreach (var ss in subsets)
        {
            var addresses = JsonPath.Objects(ss, "addresses").Select(a => JsonPath.Str(a, "ip") ?? "").ToList();
            var ports = JsonPath.Objects(ss, "ports").ToList();
            if (ports.Count == 0)
            {
                count += addresses.Count;
                foreach (var ip in addresses)
                {
                    if (list.Count == max)
                    {
                        more = true;
                        break;
                    }

                    list.Add(ip);
                }

                continue;
            }

            foreach (var port in ports)
            {
                count += addresses.Count;
                foreach (var ip in addresses)
                {
                    if (list.Count == max)
                    {
                        more = true;
                        break;
                    }

                    var p = JsonPath.Long(port, "port") ?? 0;
                    list.Add(ip.Contains(':') ? $"[{ip}]:{p}" : $"{ip}:{p}");
                }
            }
        }

        var ret = string.Join(",", list);
        return more ? $"{ret} + {count - max} more..." : ret;
    }
}
