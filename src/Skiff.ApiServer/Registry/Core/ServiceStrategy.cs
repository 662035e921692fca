using System.Net;
using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Core.Allocation;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// core/v1 services (<c>pkg/registry/core/service/strategy.go</c>, <c>storage/alloc.go</c>): names are RFC 1035
/// labels; type ClusterIP, sessionAffinity None, TCP ports with targetPort = port, SingleStack IPv4,
/// internalTrafficPolicy Cluster; cluster IPs and node ports are allocated before the write and released after a
/// delete or when an update stops using them; on update, unset allocated values are carried over (so
/// <c>kubectl apply</c> keeps them) and the cluster IPs may not change.
/// </summary>
public sealed class ServiceStrategy : ResourceStrategy
{
    private static readonly string[] Types = ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"];
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];
    private readonly ServiceAllocators _allocators;

    /// <summary>Creates the strategy over the given allocators.</summary>
    public ServiceStrategy(ServiceAllocators allocators) => _allocators = allocators;

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override TableDefinition Table => ServicePrinter.Table;

    /// <inheritdoc/>
    public override IReadOnlyList<string> ValidateName(string name, bool prefix) => Rules.CheckName(Rules.Dns1035Label, name, prefix);

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonPath.Ensure(obj, "spec");
        JsonPath.DefaultString(spec, "type", "ClusterIP");
        JsonPath.DefaultString(spec, "sessionAffinity", "None");
        var type = JsonPath.Str(spec, "type");
        if (JsonPath.Str(spec, "sessionAffinity") == "ClientIP")
        {
            JsonPath.Default(JsonPath.Ensure(spec, "sessionAffinityConfig", "clientIP"), "timeoutSeconds", 10800);
        }

        foreach (var p in JsonPath.Objects(spec, "ports"))
        {
            JsonPath.DefaultString(p, "protocol", "TCP");
            var target = p["targetPort"];
            if (target is null || JsonPath.AsLong(target) == 0 || JsonPath.AsString(target) == "")
            {
                p["targetPort"] = p["port"]?.DeepClone();
            }
        }

        if (type is "NodePort" or "LoadBalancer")
        {
            JsonPath.DefaultString(spec, "externalTrafficPolicy", "Cluster");
        }

        if (type == "LoadBalancer")
        {
            JsonPath.Default(spec, "allocateLoadBalancerNodePorts", true);
        }

        if (type != "ExternalName")
        {
            JsonPath.DefaultString(spec, "internalTrafficPolicy", "Cluster");
            JsonPath.DefaultString(spec, "ipFamilyPolicy", "SingleStack");
            if (JsonPath.Arr(spec, "ipFamilies") is null or { Count: 0 })
            {
                spec["ipFamilies"] = new JsonArray("IPv4");
            }
        }
    }

    /// <inheritdoc/>
    public override void PrepareForCreate(JsonObject obj) => obj["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };

    /// <inheritdoc/>
    public override void PrepareForUpdate(JsonObject newObj, JsonObject oldObj)
    {
        KeepStatus(newObj, oldObj);
        var spec = JsonPath.Ensure(newObj, "spec");
        var oldSpec = JsonPath.Obj(oldObj, "spec") ?? [];
        var newType = JsonPath.Str(spec, "type") ?? "ClusterIP";
        var oldType = JsonPath.Str(oldSpec, "type") ?? "ClusterIP";
        if (newType != "ExternalName" && oldType != "ExternalName")
        {
            if (JsonPath.Str(spec, "clusterIP") is null or "")
            {
                spec["clusterIP"] = oldSpec["clusterIP"]?.DeepClone();
            }

            if (JsonPath.Arr(spec, "clusterIPs") is null or { Count: 0 })
            {
                spec["clusterIPs"] = oldSpec["clusterIPs"]?.DeepClone();
            }
        }
        else if (newType == "ExternalName" && oldType != "ExternalName" &&
                 JsonNode.DeepEquals(spec["clusterIP"], oldSpec["clusterIP"]))
        {
            spec.Remove("clusterIP");
            spec.Remove("clusterIPs");
            spec.Remove("ipFamilies");
            spec.Remove("ipFamilyPolicy");
        }

        var newNeedsPorts = newType is "NodePort" or "LoadBalancer";
        var oldHadPorts = oldType is "NodePort" or "LoadBalancer";
        foreach (var p in JsonPath.Objects(spec, "ports"))
        {
            if (newNeedsPorts && oldHadPorts && JsonPath.Long(p, "nodePort") is null or 0)
            {
                var match = JsonPath.Objects(oldSpec, "ports").FirstOrDefault(o =>
                    JsonPath.Long(o, "port") == JsonPath.Long(p, "port") && (JsonPath.Str(o, "protocol") ?? "TCP") == (JsonPath.Str(p, "protocol") ?? "TCP"));
                if (match?["nodePort"] is { } np)
                {
                    p["nodePort"] = np.DeepClone();
                }
            }
            else if (!newNeedsPorts && oldHadPorts)
            {
                p.Remove("nodePort");
            }
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var spec = JsonPath.Obj(obj, "spec") ?? [];
        var type = JsonPath.Str(spec, "type") ?? "ClusterIP";
        if (!Types.Contains(type))
        {
            yield return FieldError.NotSupported("spec.type", Rules.Q(type), Types);
        }

        var clusterIp = JsonPath.Str(spec, "clusterIP") ?? "";
        var headless = clusterIp == "None";
        if (type == "ExternalName")
        {
            if (JsonPath.Str(spec, "externalName") is not { Length: > 0 } externalName)
            {
                yield return FieldError.Required("spec.externalName");
            }
            else
            {
                foreach (var e in Rules.Invalid("spec.externalName", externalName, Rules.Dns1123Subdomain(externalName.TrimEnd('.'))))
                {
                    yield return e;
                }
            }

            if (clusterIp.Length > 0)
            {
                yield return FieldError.Forbidden("spec.clusterIPs", "may not be set for ExternalName services");
            }
        }
        else if (clusterIp.Length > 0 && !headless && !IPAddress.TryParse(clusterIp, out _))
        {
            yield return FieldError.Invalid("spec.clusterIPs[0]", Rules.Q(clusterIp), "must be empty, 'None', or a valid IP address");
        }

        if (JsonPath.Str(spec, "sessionAffinity") is { } sa && sa is not ("ClientIP" or "None"))
        {
            yield return FieldError.NotSupported("spec.sessionAffinity", Rules.Q(sa), ["ClientIP", "None"]);
        }

        var ports = JsonPath.Objects(spec, "ports").ToList();
        if (ports.Count == 0 && type != "ExternalName" && !headless)
        {
            yield return FieldError.Required("spec.ports");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var keys = new HashSet<(long, string)>();
        for (var i = 0; i < ports.Count; i++)
        {
            var pp = $"spec.ports[{i}]";
            var p = ports[i];
            var name = JsonPath.Str(p, "name") ?? "";
            if (ports.Count > 1 && name.Length == 0)
            {
                yield return FieldError.Required(pp + ".name");
            }
            else if (name.Length > 0)
            {
                foreach (var e in Rules.Invalid(pp + ".name", name, Rules.Dns1123Label(name)))
                {
                    yield return e;
                }

                if (!names.Add(name))
                {
                    yield return FieldError.Duplicate(pp + ".name", Rules.Q(name));
                }
            }

            var port = JsonPath.Long(p, "port") ?? 0;
            foreach (var m in Rules.PortNumber(port))
            {
                yield return FieldError.Invalid(pp + ".port", port.ToString(), m);
            }

            var protocol = JsonPath.Str(p, "protocol") ?? "TCP";
            if (!Protocols.Contains(protocol))
            {
                yield return FieldError.NotSupported(pp + ".protocol", Rules.Q(protocol), Protocols);
            }
            else if (!keys.Add((port, protocol)))
            {
                yield return FieldError.Duplicate(pp, $"core.ServicePort{{Name:{Rules.Q(name)}, Protocol:{Rules.Q(protocol)}, Port:{port}}}");
            }

            var nodePort = JsonPath.Long(p, "nodePort") ?? 0;
            if (nodePort != 0 && type is "ClusterIP" or "ExternalName")
            {
                yield return FieldError.Forbidden(pp + ".nodePort", $"may not be used when `type` is '{type}'");
            }
            else if (nodePort != 0)
            {
                foreach (var m in Rules.PortNumber(nodePort))
                {
                    yield return FieldError.Invalid(pp + ".nodePort", nodePort.ToString(), m);
                }
            }

            if (JsonPath.AsLong(p["targetPort"]) is { } tp && tp != 0)
            {
                foreach (var m in Rules.PortNumber(tp))
                {
                    yield return FieldError.Invalid(pp + ".targetPort", tp.ToString(), m);
                }
            }
            else if (JsonPath.AsString(p["targetPort"]) is { Length: > 0 } tpn)
            {
                foreach (var m in Rules.PortName(tpn))
                {
                    yield return FieldError.Invalid(pp + ".targetPort", Rules.Q(tpn), m);
                }
            }
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj)
    {
        foreach (var e in ValidateCreate(newObj))
        {
            yield return e;
        }

        var newType = JsonPath.Str(newObj, "spec", "type");
        var oldType = JsonPath.Str(oldObj, "spec", "type");
        if (newType == "ExternalName" || oldType == "ExternalName")
        {
            yield break;
        }

        var oldIps = Ips(oldObj);
        var newIps = Ips(newObj);
        if (oldIps.Count > 0 && !(oldIps.Count == 1 && oldIps[0] == "None" && newIps.Count == 1 && newIps[0] == "None"))
        {
            for (var i = 0; i < oldIps.Count; i++)
            {
                if (i >= newIps.Count || newIps[i] != oldIps[i])
                {
                    yield return FieldError.Invalid($"spec.clusterIPs[{i}]", Rules.QList(newIps), "may not change once set");
                }
            }
        }
    }

    /// <inheritdoc/>
    public override async ValueTask<WriteHook?> BeforeWriteAsync(StrategyContext context, JsonObject newObj, JsonObject? oldObj, CancellationToken ct)
    {
        var storage = context.Storage;
        var spec = JsonPath.Ensure(newObj, "spec");
        var type = JsonPath.Str(spec, "type") ?? "ClusterIP";
        var allocatedIps = new List<string>();
        var allocatedPorts = new List<int>();
        var releaseIps = new List<string>();
        var releasePorts = new List<int>();
        var oldIps = oldObj is null ? [] : Ips(oldObj).Where(ip => ip != "None").ToList();
        var oldPorts = oldObj is null ? [] : NodePorts(oldObj);
        try
        {
            if (type == "ExternalName")
            {
                releaseIps.AddRange(oldIps);
            }
            else
            {
                var requested = JsonPath.Str(spec, "clusterIP") is { Length: > 0 } ip ? ip
                    : JsonPath.Arr(spec, "clusterIPs") is { Count: > 0 } ips && JsonPath.AsString(ips[0]) is { Length: > 0 } first ? first : null;
                if (requested == "None")
                {
                    spec["clusterIPs"] = new JsonArray("None");
                    releaseIps.AddRange(oldIps);
                }
                else if (requested is null || !oldIps.Contains(requested))
                {
                    string got;
                    try
                    {
                        got = await _allocators.AllocateIpAsync(storage, requested, context.DryRun, ct).ConfigureAwait(false);
                    }
                    catch (AllocationException e) when (e.Failure == AllocationFailure.Full)
                    {
                        throw ServiceAllocators.Full("serviceIP");
                    }
                    catch (AllocationException e)
                    {
                        throw InvalidError.For(newObj, [FieldError.Invalid("spec.clusterIPs", Rules.QList([requested!]), $"failed to allocate IP {requested}: {e.Message}")]);
                    }

                    if (!context.DryRun)
                    {
                        allocatedIps.Add(got);
                    }

                    spec["clusterIP"] = got;
                    spec["clusterIPs"] = new JsonArray(got);
                    releaseIps.AddRange(oldIps);
                }
            }

            var needsPorts = type is "NodePort" || (type == "LoadBalancer" && JsonPath.Bool(spec, "allocateLoadBalancerNodePorts") != false);
            var keep = new HashSet<int>();
            var i = 0;
            foreach (var p in JsonPath.Objects(spec, "ports"))
            {
                var index = i++;
                if (!needsPorts)
                {
                    continue;
                }

                var requested = (int?)JsonPath.Long(p, "nodePort") is { } n and not 0 ? n : (int?)null;
                if (requested is { } r && (oldPorts.Contains(r) || allocatedPorts.Contains(r)))
                {
                    keep.Add(r);
                    continue;
                }

                int got;
                try
                {
                    got = await _allocators.AllocatePortAsync(storage, requested, context.DryRun, ct).ConfigureAwait(false);
                }
                catch (AllocationException e) when (e.Failure == AllocationFailure.Full)
                {
                    throw ServiceAllocators.Full("nodePort");
                }
                catch (AllocationException e)
                {
                    throw InvalidError.For(newObj, [FieldError.Invalid($"spec.ports[{index}].nodePort", requested.ToString()!, e.Message)]);
                }

                if (!context.DryRun)
                {
                    allocatedPorts.Add(got);
                }

                keep.Add(got);
                p["nodePort"] = got;
            }

            releasePorts.AddRange(oldPorts.Where(p => !keep.Contains(p)));
        }
        catch
        {
            await ReleaseAsync(storage, allocatedIps, allocatedPorts, ct).ConfigureAwait(false);
            throw;
        }

        if (context.DryRun)
        {
            return null;
        }

        return new WriteHook(
            c => new ValueTask(ReleaseAsync(storage, releaseIps, releasePorts, c)),
            c => new ValueTask(ReleaseAsync(storage, allocatedIps, allocatedPorts, c)));
    }

    /// <inheritdoc/>
    public override async ValueTask AfterDeleteAsync(StrategyContext context, JsonObject obj, CancellationToken ct)
    {
        if (context.DryRun)
        {
            return;
        }

        await ReleaseAsync(context.Storage, Ips(obj).Where(ip => ip != "None").ToList(), NodePorts(obj), ct).ConfigureAwait(false);
    }

    private async Task ReleaseAsync(Skiff.Storage.IStorage storage, IEnumerable<string> ips, IEnumerable<int> ports, CancellationToken ct)
    {
        foreach (var ip in ips)
        {
            await _allocators.ReleaseIpAsync(storage, ip, ct).ConfigureAwait(false);
        }

        foreach (var port in ports)
        {
            await _allocators.ReleasePortAsync(storage, port, ct).ConfigureAwait(false);
        }
    }

    private static List<string> Ips(JsonObject obj)
    {
        var list = (JsonPath.Arr(obj, "spec", "clusterIPs") ?? []).Select(JsonPath.AsString).OfType<string>().Where(s => s.Length > 0).ToList();
        if (list.Count == 0 && JsonPath.Str(obj, "spec", "clusterIP") is { Length: > 0 } ip)
        {
            list.Add(ip);
        }

        return list;
    }

    private static List<int> NodePorts(JsonObject obj) =>
        JsonPath.Objects(obj, "spec", "ports").Select(p => (int)(JsonPath.Long(p, "nodePort") ?? 0)).Where(p => p != 0).Distinct().ToList();
}
