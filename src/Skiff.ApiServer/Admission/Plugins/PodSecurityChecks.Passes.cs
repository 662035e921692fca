using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Whether a pod spec passes a level, without building any failure text: upstream's checks return a
/// <c>CheckResult</c> whose reason and detail are only filled in on failure, and a passing pod (the common case) costs
/// no lists, strings or LINQ here. <see cref="Passes"/> is true exactly when <see cref="Evaluate"/> returns nothing;
/// callers evaluate the texts only when it is false.
/// </summary>
public static partial class PodSecurityChecks
{
    private static readonly string[] ContainerLists = ["initContainers", "containers", "ephemeralContainers"];

    /// <summary>True when <paramref name="spec"/> has no failure at <paramref name="level"/> (<see cref="Evaluate"/> is empty).</summary>
    public static bool Passes(string level, JsonObject spec)
    {
        if (level is not ("baseline" or "restricted"))
        {
            return true;
        }

        var restricted = level == "restricted";
        var podContext = spec["securityContext"] as JsonObject;
        if (IsTrue(spec["hostNetwork"]) || IsTrue(spec["hostPID"]) || IsTrue(spec["hostIPC"]) || !SysctlsPass(podContext))
        {
            return false;
        }

        var podSeccomp = StringAt(podContext?["seccompProfile"], "type");
        if (restricted
            ? (podSeccomp is not null && !ValidRestrictedSeccomp(podSeccomp)) || BoolAt(podContext, "runAsNonRoot") == false || IsZero(podContext?["runAsUser"])
            : podSeccomp == "Unconfined")
        {
            return false;
        }

        if (!VolumesPass(spec, restricted))
        {
            return false;
        }

        var podNonRoot = BoolAt(podContext, "runAsNonRoot") == true;
        foreach (var list in ContainerLists)
        {
            if (spec[list] is not JsonArray containers)
            {
                continue;
            }

            for (var i = 0; i < containers.Count; i++)
            {
                if (containers[i] is JsonObject c && !ContainerPasses(c, restricted, podSeccomp, podNonRoot))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static bool ContainerPasses(JsonObject c, bool restricted, string? podSeccomp, bool podNonRoot)
    {
        var context = c["securityContext"] as JsonObject;
        if (BoolAt(context, "privileged") == true || StringAt(context, "procMount") is { } pm && pm != "Default" || !HostPortsPass(c))
        {
            return false;
        }

        var capabilities = context?["capabilities"] as JsonObject;
        if (capabilities?["add"] is JsonArray add)
        {
            for (var i = 0; i < add.Count; i++)
            {
                if (AsString(add[i]) is { } cap && (restricted ? cap != "NET_BIND_SERVICE" : !BaselineCapabilities.Contains(cap)))
                {
                    return false;
                }
            }
        }

        var seccomp = StringAt(context?["seccompProfile"], "type");
        if (!restricted)
        {
            return seccomp != "Unconfined";
        }

        if (BoolAt(context, "allowPrivilegeEscalation") != false || !DropsAll(capabilities?["drop"] as JsonArray))
        {
            return false;
        }

        var nonRoot = BoolAt(context, "runAsNonRoot");
        if (nonRoot == false || (nonRoot is null && !podNonRoot) || IsZero(context?["runAsUser"]))
        {
            return false;
        }

        return seccomp is null ? ValidRestrictedSeccomp(podSeccomp) : ValidRestrictedSeccomp(seccomp);
    }

    private static bool ValidRestrictedSeccomp(string? type) => type is "RuntimeDefault" or "Localhost";

    private static bool DropsAll(JsonArray? drop)
    {
        if (drop is null)
        {
            return false;
        }

        for (var i = 0; i < drop.Count; i++)
        {
            if (drop[i] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == "ALL")
            {
                return true;
            }
        }

        return false;
    }

    private static bool HostPortsPass(JsonObject c)
    {
        if (c["ports"] is not JsonArray ports)
        {
            return true;
        }

        for (var i = 0; i < ports.Count; i++)
        {
            if (ports[i] is JsonObject p && p["hostPort"] is { } hostPort && (Registry.JsonPath.AsLong(hostPort) ?? 0) != 0)
            {
                return false;
            }
        }

        return true;
    }

    private static bool VolumesPass(JsonObject spec, bool restricted)
    {
        if (spec["volumes"] is not JsonArray volumes)
        {
            return true;
        }

        for (var i = 0; i < volumes.Count; i++)
        {
            if (volumes[i] is not JsonObject v)
            {
                continue;
            }

            if (!restricted)
            {
                if (v["hostPath"] is not null)
                {
                    return false;
                }

                continue;
            }

            // The volume's type is its first key other than "name", as the full check reads it.
            foreach (var (key, _) in v)
            {
                if (key != "name")
                {
                    if (!RestrictedVolumeTypesAllowed.Contains(key))
                    {
                        return false;
                    }

                    break;
                }
            }
        }

        return true;
    }

    private static bool SysctlsPass(JsonObject? podContext)
    {
        if (podContext?["sysctls"] is not JsonArray sysctls)
        {
            return true;
        }

        for (var i = 0; i < sysctls.Count; i++)
        {
            if (sysctls[i] is JsonObject s && !SafeSysctls.Contains(AsString(s["name"]) ?? ""))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsTrue(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    private static bool? BoolAt(JsonObject? obj, string key) => obj?[key] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
        ? v.GetValueKind() == JsonValueKind.True
        : null;

    private static string? StringAt(JsonNode? obj, string key) => obj is JsonObject o ? AsString(o[key]) : null;

    private static string? AsString(JsonNode? node) => Registry.JsonPath.AsString(node);

    private static bool IsZero(JsonNode? node) => node is not null && Registry.JsonPath.AsLong(node) == 0;
}
