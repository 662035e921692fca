using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry.Networking;

/// <summary>
/// Upstream's <c>ValidateNetworkPolicySpec</c> (<c>pkg/apis/networking/validation</c>) on the JSON object: the pod
/// selector and every peer selector as label selectors, each peer exactly one kind (or pod + namespace selectors; never
/// ipBlock with another), ipBlock CIDRs with excepts strictly inside, ports (protocol TCP/UDP/SCTP, number 1..65535 or
/// an IANA name, endPort only after a numeric port and not below it) and policyTypes (Ingress/Egress, at most two),
/// with upstream's texts.
/// </summary>
public static class NetworkPolicyValidation
{
    private static readonly string[] Protocols = ["TCP", "UDP", "SCTP"];
    private static readonly string[] PolicyTypes = ["Ingress", "Egress"];
    private static readonly string[] Operators = ["In", "NotIn", "Exists", "DoesNotExist"];

    /// <summary>The spec's errors (none when valid).</summary>
    public static IEnumerable<FieldError> Spec(JsonObject? spec)
    {
        var errors = new List<FieldError>();
        errors.AddRange(LabelSelector(JsonPath.Obj(spec, "podSelector"), "spec.podSelector"));
        foreach (var (direction, peersKey) in new[] { ("ingress", "from"), ("egress", "to") })
        {
            var i = 0;
            foreach (var rule in JsonPath.Objects(spec, direction))
            {
                var path = $"spec.{direction}[{i++}]";
                var p = 0;
                foreach (var port in JsonPath.Objects(rule, "ports"))
                {
                    errors.AddRange(Port(port, $"{path}.ports[{p++}]"));
                }

                p = 0;
                foreach (var peer in JsonPath.Objects(rule, peersKey))
                {
                    errors.AddRange(Peer(peer, $"{path}.{peersKey}[{p++}]"));
                }
            }
        }

        var types = (JsonPath.Arr(spec, "policyTypes") ?? []).Select(JsonPath.AsString).ToList();
        if (types.Count > PolicyTypes.Length)
        {
            errors.Add(FieldError.Invalid("spec.policyTypes", "[]networking.PolicyType{" + string.Join(", ", types.Select(t => Rules.Q(t ?? ""))) + "}",
                "may not specify more than two policyTypes"));
            return errors;
        }

        for (var t = 0; t < types.Count; t++)
        {
            if (!PolicyTypes.Contains(types[t]))
            {
                errors.Add(FieldError.NotSupported($"spec.policyTypes[{t}]", Rules.Q(types[t] ?? ""), PolicyTypes));
            }
        }

        return errors;
    }

    private static IEnumerable<FieldError> Port(JsonObject port, string path)
    {
        if (JsonPath.Str(port, "protocol") is { } protocol && !Protocols.Contains(protocol))
        {
            yield return FieldError.NotSupported(path + ".protocol", Rules.Q(protocol), Protocols);
        }

        var endPort = JsonPath.Long(port, "endPort");
        var value = port["port"];
        if (value is null)
        {
            if (endPort is { } e)
            {
                yield return FieldError.Invalid(path + ".endPort", Num(e), "may not be specified when `port` is not specified");
            }
        }
        else if (value.GetValueKind() == JsonValueKind.Number)
        {
            var number = JsonPath.AsLong(value) ?? 0;
            foreach (var m in Rules.PortNumber(number))
            {
                yield return FieldError.Invalid(path + ".port", Num(number), m);
            }

            if (endPort is { } e)
            {
                if (e < number)
                {
                    yield return FieldError.Invalid(path + ".endPort", Num(number), "must be greater than or equal to `port`");
                }

                foreach (var m in Rules.PortNumber(e))
                {
                    yield return FieldError.Invalid(path + ".endPort", Num(e), m);
                }
            }
        }
        else
        {
            if (endPort is { } e)
            {
                yield return FieldError.Invalid(path + ".endPort", Num(e), "may not be specified when `port` is non-numeric");
            }

            var name = JsonPath.AsString(value) ?? "";
            foreach (var m in Rules.PortName(name))
            {
                yield return FieldError.Invalid(path + ".port", Rules.Q(name), m);
            }
        }
    }

    private static List<FieldError> Peer(JsonObject peer, string path)
    {
        var errors = new List<FieldError>();
        var count = 0;
        if (JsonPath.Obj(peer, "podSelector") is { } pods)
        {
            count++;
            errors.AddRange(LabelSelector(pods, path + ".podSelector"));
        }

        if (JsonPath.Obj(peer, "namespaceSelector") is { } namespaces)
        {
            count++;
            errors.AddRange(LabelSelector(namespaces, path + ".namespaceSelector"));
        }

        var block = JsonPath.Obj(peer, "ipBlock");
        if (block is not null)
        {
            count++;
            errors.AddRange(IpBlock(block, path + ".ipBlock"));
        }

        if (count == 0)
        {
            errors.Add(FieldError.Required(path, "must specify a peer"));
        }
        else if (count > 1 && block is not null)
        {
            errors.Add(FieldError.Forbidden(path, "may not specify both ipBlock and another peer"));
        }

        return errors;
    }

    private static List<FieldError> IpBlock(JsonObject block, string path)
    {
        var errors = new List<FieldError>();
        var cidr = JsonPath.Str(block, "cidr") ?? "";
        if (cidr.Length == 0)
        {
            errors.Add(FieldError.Required(path + ".cidr"));
            return errors;
        }

        if (!TryParseCidr(cidr, out var net, out var bits))
        {
            errors.Add(FieldError.Invalid(path + ".cidr", Rules.Q(cidr), InvalidCidr));
            return errors;
        }

        var i = 0;
        foreach (var node in JsonPath.Arr(block, "except") ?? [])
        {
            var exceptPath = $"{path}.except[{i++}]";
            var except = JsonPath.AsString(node) ?? "";
            if (!TryParseCidr(except, out var exceptNet, out var exceptBits))
            {
                errors.Add(FieldError.Invalid(exceptPath, Rules.Q(except), InvalidCidr));
                continue;
            }

            if (exceptNet.Length != net.Length || bits >= exceptBits || !Contains(net, bits, exceptNet))
            {
                errors.Add(FieldError.Invalid(exceptPath, Rules.Q(except), "must be a strict subset of `cidr`"));
            }
        }

        return errors;
    }

    private const string InvalidCidr = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

    /// <summary>metav1 <c>ValidateLabelSelector</c>: matchLabels as labels, each requirement's operator, values and key.</summary>
    private static List<FieldError> LabelSelector(JsonObject? selector, string path)
    {
        var errors = new List<FieldError>();
        if (selector is null)
        {
            return errors;
        }

        errors.AddRange(ObjectMetaValidation.ValidateLabels(JsonPath.Obj(selector, "matchLabels"), path + ".matchLabels"));
        var i = 0;
        foreach (var expr in JsonPath.Objects(selector, "matchExpressions"))
        {
            var exprPath = $"{path}.matchExpressions[{i++}]";
            var op = JsonPath.Str(expr, "operator") ?? "";
            var values = JsonPath.Arr(expr, "values")?.Count ?? 0;
            if (!Operators.Contains(op))
            {
                errors.Add(FieldError.Invalid(exprPath + ".operator", Rules.Q(op), "not a valid selector operator"));
            }
            else if (op is "In" or "NotIn" && values == 0)
            {
                errors.Add(FieldError.Required(exprPath + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
            }
            else if (op is "Exists" or "DoesNotExist" && values > 0)
            {
                errors.Add(FieldError.Forbidden(exprPath + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
            }

            var key = JsonPath.Str(expr, "key") ?? "";
            errors.AddRange(ValueValidation.IsQualifiedName(key).Select(m => FieldError.Invalid(exprPath + ".key", Rules.Q(key), m)));
        }

        return errors;
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Go's <c>ParseCIDRSloppy</c>: an address (leading zeros allowed in IPv4) and a prefix; host bits are masked off.</summary>
    private static bool TryParseCidr(string text, out byte[] network, out int bits)
    {
        network = [];
        bits = 0;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || !IPAddress.TryParse(text.AsSpan(0, slash), out var address) || text.AsSpan(0, slash).Contains('%')
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out bits))
        {
            return false;
        }

        network = address.GetAddressBytes();
        if (bits > network.Length * 8)
        {
            return false;
        }

        for (var b = 0; b < network.Length; b++)
        {
            var keep = Math.Clamp(bits - (b * 8), 0, 8);
            network[b] &= (byte)(0xFF << (8 - keep));
        }

        return true;
    }

    private static bool Contains(byte[] net, int bits, byte[] address)
    {
        var a = new BigInteger(net, isUnsigned: true, isBigEndian: true);
        var b = new BigInteger(address, isUnsigned: true, isBigEndian: true);
        var shift = (net.Length * 8) - bits;
        return a >> shift == b >> shift;
    }
}
