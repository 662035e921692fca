using System.Globalization;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>The baseline checks (upstream's <c>check_capabilities_baseline.go</c>, <c>check_hostNamespaces.go</c>, …).</summary>
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

    private static readonly string[] HostNamespaceFields = ["hostNetwork", "hostPID", "hostIPC"];

    private static PodSecurityCheckResult CapabilitiesBaseline(in Pod pod)
    {
        List<string>? bad = null;
        SortedSet<string>? caps = null;
        foreach (var c in pod)
        {
            var added = false;
            if (c.Context?["capabilities"] is JsonObject { } capabilities && capabilities["add"] is JsonArray add)
            {
                for (var i = 0; i < add.Count; i++)
                {
                    if (AsString(add[i]) is { } cap && !BaselineCapabilities.Contains(cap))
                    {
                        (caps ??= new(StringComparer.Ordinal)).Add(cap);
                        added = true;
                    }
                }
            }

            if (added)
            {
                (bad ??= []).Add(c.Name);
            }
        }

        return bad is null
            ? PodSecurityCheckResult.Allow
            : PodSecurityCheckResult.Forbid("non-default capabilities", $"{Subjects(bad)} must not include {JoinQuote(caps!)} in securityContext.capabilities.add");
    }

    private static PodSecurityCheckResult HostNamespaces(in Pod pod)
    {
        List<string>? set = null;
        foreach (var field in HostNamespaceFields)
        {
            if (IsTrue(pod.Spec[field]))
            {
                (set ??= []).Add($"{field}=true");
            }
        }

        return set is null ? PodSecurityCheckResult.Allow : PodSecurityCheckResult.Forbid("host namespaces", string.Join(", ", set));
    }

    private static PodSecurityCheckResult HostPathVolumes(in Pod pod)
    {
        List<string>? bad = null;
        if (pod.Spec["volumes"] is JsonArray volumes)
        {
            for (var i = 0; i < volumes.Count; i++)
            {
                if (volumes[i] is JsonObject v && v["hostPath"] is not null)
                {
                    (bad ??= []).Add(AsString(v["name"]) ?? "");
                }
            }
        }

        return bad is null ? PodSecurityCheckResult.Allow : PodSecurityCheckResult.Forbid("hostPath volumes", Subjects(bad, "volume", "volumes"));
    }

    private static PodSecurityCheckResult HostPorts(in Pod pod)
    {
        List<string>? bad = null;
        SortedSet<string>? ports = null; // upstream's sets.String: each port once, in string order
        foreach (var c in pod)
        {
            if (c.Obj["ports"] is not JsonArray list)
            {
                continue;
            }

            var uses = false;
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i] is JsonObject p && p["hostPort"] is { } hostPort && (Registry.JsonPath.AsLong(hostPort) ?? 0) is var port and not 0)
                {
                    (ports ??= new(StringComparer.Ordinal)).Add(port.ToString(CultureInfo.InvariantCulture));
                    uses = true;
                }
            }

            if (uses)
            {
                (bad ??= []).Add(c.Name);
            }
        }

        return bad is null
            ? PodSecurityCheckResult.Allow
            : PodSecurityCheckResult.Forbid(
                "hostPort", $"{Subjects(bad)} {Plural(bad.Count, "uses", "use")} {Plural(ports!.Count, "hostPort", "hostPorts")} {string.Join(", ", ports)}");
    }

    private static PodSecurityCheckResult Privileged(in Pod pod)
    {
        List<string>? bad = null;
        foreach (var c in pod)
        {
            if (BoolAt(c.Context, "privileged") == true)
            {
                (bad ??= []).Add(c.Name);
            }
        }

        return bad is null ? PodSecurityCheckResult.Allow : PodSecurityCheckResult.Forbid("privileged", $"{Subjects(bad)} must not set securityContext.privileged=true");
    }

    private static PodSecurityCheckResult ProcMount(in Pod pod)
    {
        List<string>? bad = null;
        SortedSet<string>? values = null;
        foreach (var c in pod)
        {
            var procMount = c.Context?["procMount"];
            if (IsAString(procMount) && !IsString(procMount, "Default"))
            {
                (bad ??= []).Add(c.Name);
                (values ??= new(StringComparer.Ordinal)).Add(AsString(procMount)!);
            }
        }

        return bad is null
            ? PodSecurityCheckResult.Allow
            : PodSecurityCheckResult.Forbid("procMount", $"{Subjects(bad)} must not set securityContext.procMount to {JoinQuote(values!)}");
    }

    private static PodSecurityCheckResult SeccompBaseline(in Pod pod)
    {
        List<string>? details = null;
        if (IsString(SeccompType(pod.Context), "Unconfined"))
        {
            (details ??= []).Add("pod must not set securityContext.seccompProfile.type to \"Unconfined\"");
        }

        List<string>? bad = null;
        foreach (var c in pod)
        {
            if (IsString(SeccompType(c.Context), "Unconfined"))
            {
                (bad ??= []).Add(c.Name);
            }
        }

        if (bad is not null)
        {
            (details ??= []).Add($"{Subjects(bad)} must not set securityContext.seccompProfile.type to \"Unconfined\"");
        }

        return details is null ? PodSecurityCheckResult.Allow : PodSecurityCheckResult.Forbid("seccompProfile", string.Join("; ", details));
    }

    private static PodSecurityCheckResult Sysctls(in Pod pod)
    {
        List<string>? bad = null;
        if (pod.Context?["sysctls"] is JsonArray sysctls)
        {
            for (var i = 0; i < sysctls.Count; i++)
            {
                if (sysctls[i] is JsonObject s && AsString(s["name"]) is var name && !SafeSysctls.Contains(name ?? ""))
                {
                    (bad ??= []).Add(name ?? "");
                }
            }
        }

        return bad is null ? PodSecurityCheckResult.Allow : PodSecurityCheckResult.Forbid("forbidden sysctls", string.Join(", ", bad));
    }
}
