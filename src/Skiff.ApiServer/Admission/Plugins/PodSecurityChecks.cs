using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// The Pod Security Standards checks (upstream's <c>pod-security-admission/policy</c>), in upstream's order (by
/// check ID), each with upstream's reason and detail texts. <see cref="Evaluate"/> returns the failures of a pod spec at
/// a level: <c>privileged</c> none, <c>baseline</c> the baseline checks, <c>restricted</c> both (restrictedVolumes
/// replaces hostPathVolumes and the restricted seccompProfile replaces the baseline one, as upstream overrides them).
/// </summary>
public static partial class PodSecurityChecks
{
    private static readonly HashSet<string> BaselineCapabilities = new(StringComparer.Ordinal)
    {
        "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID",
        "SETPCAP", "SETUID", "SYS_CHROOT",
    };

    private static readonly HashSet<string> SafeSysctls = new(StringComparer.Ordinal)
    {
        "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes",
    };

    private static readonly HashSet<string> RestrictedVolumeTypesAllowed = new(StringComparer.Ordinal)
    {
        "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
    };

    /// <summary>The failures of <paramref name="spec"/> at <paramref name="level"/>: <c>reason (detail)</c> each.</summary>
    public static IReadOnlyList<string> Evaluate(string level, JsonObject? podMeta, JsonObject spec)
    {
        if (level is not ("baseline" or "restricted"))
        {
            return [];
        }

        var results = new List<(string Reason, string Detail)?>();

        var restricted = level == "restricted";
        var containers = Containers(spec).ToList();
        if (restricted)
        {
            results.Add(AllowPrivilegeEscalation(containers));
        }

        results.Add(CapabilitiesBaseline(containers));
        if (restricted)
        {
            results.Add(CapabilitiesRestricted(containers));
        }

        results.Add(HostNamespaces(spec));
        if (!restricted)
        {
            results.Add(HostPathVolumes(spec));
        }

        results.Add(HostPorts(containers));
        results.Add(Privileged(containers));
        results.Add(ProcMount(containers));
        if (restricted)
        {
            results.Add(RestrictedVolumes(spec));
            results.Add(RunAsNonRoot(spec, containers));
            results.Add(RunAsUser(spec, containers));
            results.Add(SeccompRestricted(spec, containers));
        }
        else
        {
            results.Add(SeccompBaseline(spec, containers));
        }

        results.Add(Sysctls(spec));
        _ = podMeta;
        return results.Where(r => r is not null).Select(r => r!.Value.Detail.Length == 0 ? r.Value.Reason : $"{r.Value.Reason} ({r.Value.Detail})").ToList();
    }

    private static IEnumerable<JsonObject> Containers(JsonObject spec) =>
        JsonPath.Objects(spec, "initContainers").Concat(JsonPath.Objects(spec, "containers")).Concat(JsonPath.Objects(spec, "ephemeralContainers"));

    private static string NameOf(JsonObject c) => JsonPath.Str(c, "name") ?? "";

    private static string Plural(int n, string one, string many) => n == 1 ? one : many;

    private static string JoinQuote(IEnumerable<string> items) => string.Join(", ", items.Select(i => $"\"{i}\""));

    private static string Subjects(List<string> names, string one = "container", string many = "containers") =>
        $"{Plural(names.Count, one, many)} {JoinQuote(names)}";

    private static (string, string)? AllowPrivilegeEscalation(List<JsonObject> containers)
    {
        var bad = containers.Where(c => JsonPath.Bool(c, "securityContext", "allowPrivilegeEscalation") != false).Select(NameOf).ToList();
        return bad.Count == 0 ? null : ("allowPrivilegeEscalation != false", $"{Subjects(bad)} must set securityContext.allowPrivilegeEscalation=false");
    }

    private static List<string> Added(JsonObject c) =>
        (JsonPath.Arr(c, "securityContext", "capabilities", "add") ?? []).Select(JsonPath.AsString).OfType<string>().ToList();

    private static (string, string)? CapabilitiesBaseline(List<JsonObject> containers)
    {
        var bad = new List<string>();
        var caps = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var c in containers)
        {
            var forbidden = Added(c).Where(a => !BaselineCapabilities.Contains(a)).ToList();
            if (forbidden.Count > 0)
            {
                bad.Add(NameOf(c));
                caps.UnionWith(forbidden);
            }
        }

        return bad.Count == 0 ? null : ("non-default capabilities", $"{Subjects(bad)} must not include {JoinQuote(caps)} in securityContext.capabilities.add");
    }

    private static (string, string)? CapabilitiesRestricted(List<JsonObject> containers)
    {
        var missingDrop = new List<string>();
        var adding = new List<string>();
        var caps = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var c in containers)
        {
            var drop = (JsonPath.Arr(c, "securityContext", "capabilities", "drop") ?? []).Select(JsonPath.AsString);
            if (!drop.Contains("ALL"))
            {
                missingDrop.Add(NameOf(c));
            }

            var forbidden = Added(c).Where(a => a != "NET_BIND_SERVICE").ToList();
            if (forbidden.Count > 0)
            {
                adding.Add(NameOf(c));
                caps.UnionWith(forbidden);
            }
        }

        var details = new List<string>();
        if (missingDrop.Count > 0)
        {
            details.Add($"{Subjects(missingDrop)} must set securityContext.capabilities.drop=[\"ALL\"]");
        }

        if (adding.Count > 0)
        {
            details.Add($"{Subjects(adding)} must not include {JoinQuote(caps)} in securityContext.capabilities.add");
        }

        return details.Count == 0 ? null : ("unrestricted capabilities", string.Join("; ", details));
    }

    private static (string, string)? HostNamespaces(JsonObject spec)
    {
        var set = new List<string>();
        foreach (var field in (string[])["hostNetwork", "hostPID", "hostIPC"])
        {
            if (JsonPath.Bool(spec, field) == true)
            {
                set.Add($"{field}=true");
            }
        }

        return set.Count == 0 ? null : ("host namespaces", string.Join(", ", set));
    }

    private static (string, string)? HostPathVolumes(JsonObject spec)
    {
        var bad = JsonPath.Objects(spec, "volumes").Where(v => v["hostPath"] is not null).Select(v => JsonPath.Str(v, "name") ?? "").ToList();
        return bad.Count == 0 ? null : ("hostPath volumes", Subjects(bad, "volume", "volumes"));
    }

    private static (string, string)? HostPorts(List<JsonObject> containers)
    {
        var bad = new List<string>();
        var ports = new List<string>();
        foreach (var c in containers)
        {
            var used = JsonPath.Objects(c, "ports").Select(p => JsonPath.Long(p, "hostPort") ?? 0).Where(p => p != 0).ToList();
            if (used.Count > 0)
            {
                bad.Add(NameOf(c));
                ports.AddRange(used.Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
        }

        return bad.Count == 0 ? null
            : ("hostPort", $"{Subjects(bad)} {Plural(bad.Count, "uses", "use")} {Plural(ports.Count, "hostPort", "hostPorts")} {string.Join(", ", ports)}");
    }

    private static (string, string)? Privileged(List<JsonObject> containers)
    {
        var bad = containers.Where(c => JsonPath.Bool(c, "securityContext", "privileged") == true).Select(NameOf).ToList();
        return bad.Count == 0 ? null : ("privileged", $"{Subjects(bad)} must not set securityContext.privileged=true");
    }

    private static (string, string)? ProcMount(List<JsonObject> containers)
    {
        var bad = new List<string>();
        var values = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var c in containers)
        {
            if (JsonPath.Str(c, "securityContext", "procMount") is { } pm && pm != "Default")
            {
                bad.Add(NameOf(c));
                values.Add(pm);
            }
        }

        return bad.Count == 0 ? null : ("procMount", $"{Subjects(bad)} must not set securityContext.procMount to {JoinQuote(values)}");
    }

    private static (string, string)? RestrictedVolumes(JsonObject spec)
    {
        var bad = new List<string>();
        var types = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var v in JsonPath.Objects(spec, "volumes"))
        {
            var type = v.Select(p => p.Key).FirstOrDefault(k => k != "name");
            if (type is not null && !RestrictedVolumeTypesAllowed.Contains(type))
            {
                bad.Add(JsonPath.Str(v, "name") ?? "");
                types.Add(type);
            }
        }

        return bad.Count == 0 ? null
            : ("restricted volume types",
                $"{Subjects(bad, "volume", "volumes")} {Plural(bad.Count, "uses", "use")} {Plural(types.Count, "restricted volume type", "restricted volume types")} {JoinQuote(types)}");
    }

    private static (string, string)? RunAsNonRoot(JsonObject spec, List<JsonObject> containers)
    {
        var pod = JsonPath.Bool(spec, "securityContext", "runAsNonRoot");
        var details = new List<string>();
        if (pod == false)
        {
            details.Add("pod must not set securityContext.runAsNonRoot=false");
        }

        var explicitlyBad = containers.Where(c => JsonPath.Bool(c, "securityContext", "runAsNonRoot") == false).Select(NameOf).ToList();
        var implicitlyBad = pod == true ? [] : containers.Where(c => JsonPath.Bool(c, "securityContext", "runAsNonRoot") is null).Select(NameOf).ToList();
        if (explicitlyBad.Count > 0)
        {
            details.Add($"{Subjects(explicitlyBad)} must not set securityContext.runAsNonRoot=false");
        }

        if (implicitlyBad.Count > 0)
        {
            details.Add($"pod or {Subjects(implicitlyBad)} must set securityContext.runAsNonRoot=true");
        }

        return details.Count == 0 ? null : ("runAsNonRoot != true", string.Join("; ", details));
    }

    private static (string, string)? RunAsUser(JsonObject spec, List<JsonObject> containers)
    {
        var details = new List<string>();
        if (JsonPath.Long(spec, "securityContext", "runAsUser") == 0)
        {
            details.Add("pod must not set runAsUser=0");
        }

        var bad = containers.Where(c => JsonPath.Long(c, "securityContext", "runAsUser") == 0).Select(NameOf).ToList();
        if (bad.Count > 0)
        {
            details.Add($"{Subjects(bad)} must not set runAsUser=0");
        }

        return details.Count == 0 ? null : ("runAsUser=0", string.Join("; ", details));
    }

    private static (string, string)? SeccompBaseline(JsonObject spec, List<JsonObject> containers)
    {
        var details = new List<string>();
        if (JsonPath.Str(spec, "securityContext", "seccompProfile", "type") == "Unconfined")
        {
            details.Add("pod must not set securityContext.seccompProfile.type to \"Unconfined\"");
        }

        var bad = containers.Where(c => JsonPath.Str(c, "securityContext", "seccompProfile", "type") == "Unconfined").Select(NameOf).ToList();
        if (bad.Count > 0)
        {
            details.Add($"{Subjects(bad)} must not set securityContext.seccompProfile.type to \"Unconfined\"");
        }

        return details.Count == 0 ? null : ("seccompProfile", string.Join("; ", details));
    }

    private static (string, string)? SeccompRestricted(JsonObject spec, List<JsonObject> containers)
    {
        static bool Valid(string? t) => t is "RuntimeDefault" or "Localhost";
        var podType = JsonPath.Str(spec, "securityContext", "seccompProfile", "type");
        var details = new List<string>();
        if (podType is not null && !Valid(podType))
        {
            details.Add($"pod must not set securityContext.seccompProfile.type to \"{podType}\"");
        }

        var explicitlyBad = new List<string>();
        var badTypes = new SortedSet<string>(StringComparer.Ordinal);
        var implicitlyBad = new List<string>();
        foreach (var c in containers)
        {
            var t = JsonPath.Str(c, "securityContext", "seccompProfile", "type");
            if (t is not null && !Valid(t))
            {
                explicitlyBad.Add(NameOf(c));
                badTypes.Add(t);
            }
            else if (t is null && !Valid(podType))
            {
                implicitlyBad.Add(NameOf(c));
            }
        }

        if (explicitlyBad.Count > 0)
        {
            details.Add($"{Subjects(explicitlyBad)} must not set securityContext.seccompProfile.type to {JoinQuote(badTypes)}");
        }

        if (implicitlyBad.Count > 0)
        {
            details.Add($"pod or {Subjects(implicitlyBad)} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
        }

        return details.Count == 0 ? null : ("seccompProfile", string.Join("; ", details));
    }

    private static (string, string)? Sysctls(JsonObject spec)
    {
        var bad = JsonPath.Objects(spec, "securityContext", "sysctls").Select(s => JsonPath.Str(s, "name") ?? "").Where(n => !SafeSysctls.Contains(n)).ToList();
        return bad.Count == 0 ? null : ("forbidden sysctls", string.Join(", ", bad));
    }
}
