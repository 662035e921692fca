using System.Globalization;
using k8s.Models;

namespace Skiff.Kubelet.Env;

/// <summary>
/// Service-link variables (upstream <c>pkg/kubelet/envvars</c> and <c>getServiceEnvVarMap</c>): for each service with a
/// cluster IP, <c>FOO_SERVICE_HOST</c>, <c>FOO_SERVICE_PORT</c> (first port), <c>FOO_SERVICE_PORT_&lt;NAME&gt;</c> per named
/// port, and the Docker-link set <c>FOO_PORT</c>, <c>FOO_PORT_80_TCP</c>, <c>_PROTO</c>, <c>_PORT</c>, <c>_ADDR</c>.
/// </summary>
public static class ServiceEnvVars
{
    /// <summary>The cluster's API service, whose variables every pod gets (from namespace default).</summary>
    public const string MasterService = "kubernetes";

    /// <summary>
    /// The services a pod in <paramref name="ns"/> sees: default/kubernetes always, and every service of
    /// <paramref name="ns"/> when <paramref name="enableServiceLinks"/> (a same-named one in the pod's namespace wins).
    /// Headless and ExternalName services (no cluster IP) are left out. Ordered by service name.
    /// </summary>
    public static IReadOnlyList<V1Service> Visible(IEnumerable<V1Service> services, string ns, bool enableServiceLinks)
    {
        var byName = new Dictionary<string, V1Service>(StringComparer.Ordinal);
        var all = services.Where(IsServiceIpSet).ToList();
        foreach (var s in all.Where(s => s.Metadata.NamespaceProperty == "default" && s.Metadata.Name == MasterService))
        {
            byName.TryAdd(s.Metadata.Name, s);
        }

        if (enableServiceLinks)
        {
            foreach (var s in all.Where(s => s.Metadata.NamespaceProperty == ns))
            {
                byName[s.Metadata.Name] = s;
            }
        }

        return [.. byName.Values.OrderBy(s => s.Metadata.Name, StringComparer.Ordinal)];
    }

    /// <summary>The variables of <paramref name="services"/>, in order (upstream <c>envvars.FromServices</c>).</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> FromServices(IEnumerable<V1Service> services)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var service in services)
        {
            var ports = service.Spec?.Ports ?? [];
            if (!IsServiceIpSet(service) || ports.Count == 0)
            {
                continue;
            }

            var ip = service.Spec!.ClusterIP;
            var prefix = VariableName(service.Metadata.Name);
            result.Add(new(prefix + "_SERVICE_HOST", ip));
            var portName = prefix + "_SERVICE_PORT";
            result.Add(new(portName, Text(ports[0].Port)));
            foreach (var p in ports.Where(p => !string.IsNullOrEmpty(p.Name)))
            {
                result.Add(new(portName + "_" + VariableName(p.Name), Text(p.Port)));
            }

            for (var i = 0; i < ports.Count; i++)
            {
                var p = ports[i];
                var protocol = string.IsNullOrEmpty(p.Protocol) ? "TCP" : p.Protocol;
                var url = $"{protocol.ToLowerInvariant()}://{(ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : ip)}:{Text(p.Port)}";
                if (i == 0)
                {
                    result.Add(new(prefix + "_PORT", url));
                }

                var portPrefix = $"{prefix}_PORT_{Text(p.Port)}_{protocol.ToUpperInvariant()}";
                result.Add(new(portPrefix, url));
                result.Add(new(portPrefix + "_PROTO", protocol.ToLowerInvariant()));
                result.Add(new(portPrefix + "_PORT", Text(p.Port)));
                result.Add(new(portPrefix + "_ADDR", ip));
            }
        }

        return result;
    }

    private static bool IsServiceIpSet(V1Service s) => s.Spec?.ClusterIP is { Length: > 0 } ip && ip != "None";

    private static string VariableName(string name) => name.Replace('-', '_').ToUpperInvariant();

    private static string Text(int port) => port.ToString(CultureInfo.InvariantCulture);
}
