using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>The restricted checks (upstream's <c>check_allowPrivilegeEscalation.go</c>, <c>check_runAsNonRoot.go</c>, …).</summary>
public static partial class PodSecurityChecks
{
    private static readonly HashSet<string> RestrictedVolumeTypesAllowed = new(StringComparer.Ordinal)
    {
        "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret",
    };

    private static PodSecurityCheckResult AllowPrivilegeEscalation(in Pod pod)
    {
        List<string>? bad = null;
        foreach (var c in pod)
        {
            if (BoolAt(c.Context, "allowPrivilegeEscalation") != false)
            {
                (bad ??= []).Add(c.Name);
            }
        }

        return bad is null
            ? PodSecurityCheckResult.Allow
            : PodSecurityCheckResult.Forbid("allowPrivilegeEscalation != false", $"{Subjects(bad)} must set securityContext.allowPrivilegeEscalation=false");
    }

    private static PodSecurityCheckResult CapabilitiesRestricted(in Pod pod)
    {
        List<string>? missingDrop = null;
        List<string>? adding = null;
        SortedSet<string>? caps = null;
        foreach (var c in pod)
        {
            var capabilities = c.Context?["capabilities"] as JsonObject;
            if (!DropsAll(capabilities?["drop"] as JsonArray))
            {
                (missingDrop ??= []).Add(c.Name);
            }

            var added = false;
            if (capabilities?["add"] is JsonArray add)
            {
                for (var i = 0; i < add.Count; i++)
                {
                    if (AsString(add[i]) is { } cap && cap != "NET_BIND_SERVICE")
                    {
                        (caps ??= new(StringComparer.Ordinal)).Add(cap);
                        added = true;
                    }
                }
            }

            if (added)
            {
                (adding ??= []).Add(c.Name);
            }
        }

        List<string>? details = null;
        if (missingDrop is not null)
        {
            (details ??= []).Add($"{Subjects(missingDrop)} must set securityContext.capabilities.drop=[\"ALL\"]");
        }

        if (adding is not null)
        {
            (details ??= []).Add($"{Subjects(adding)} must not include {JoinQuote(caps!)} in securityContext.capabilities.add");
        }

        return details is null ? PodSecurityCheckResult.Allow : PodSecurityCheckResult.Forbid("unrestricted capabilities", string.Join("; ", details));
    }

    private static bool DropsAll(JsonArray? drop)
    {
        if (drop is null)
        {
            return false;
        }

        for (var i = 0; i < drop.Count; i++)
        {
            if (IsString(drop[i], "ALL"))
            {
                return true;
            }
        }

        return false;
    }

    private static PodSecurityCheckResult RestrictedVolumes(in Pod pod)
    {
        List<string>? bad = null;
        SortedSet<string>? types = null;
        if (pod.Spec["volumes"] is JsonArray volumes)
        {
            for (var i = 0; i < volumes.Count; i++)
            {
                if (volumes[i] is JsonObject v && VolumeType(v) is { } type && !RestrictedVolumeTypesAllowed.Contains(type))
                {
                    (bad ??= []).Add(AsString(v["name"]) ?? "");
                    (types ??= new(StringComparer.Ordinal)).Add(type);
                }
            }
        }

        return bad is null
            ? PodSecurityCheckResult.Allow
            : PodSecurityCheckResult.Forbid(
                "restricted volume types",
                $"{Subjects(bad, "volume", "volumes")} {Plural(bad.Count, "uses", "use")} {Plural(types!.Count, "restricted volume type", "restricted volume types")} {JoinQuote(types)}");
    }

    /// <summary>A volume's type: its first key other than <c>name</c>.</summary>
    private static string? VolumeType(JsonObject volume)
    {
        for (var i = 0; i < volume.Count; i++)
        {
            if (volume.GetAt(i).Key is var key && key != "name")
            {
                return key;
            }
        }

        return null;
    }

    private static PodSecurityCheckResult RunAsNonRoot(in Pod pod)
    {
        var podNonRoot = BoolAt(pod.Context, "runAsNonRoot");
        List<string>? details = null;
        if (podNonRoot == false)
        {
            (details ??= []).Add("pod must not set securityContext.runAsNonRoot=false");
        }

        List<string>? explicitlyBad = null;
        List<string>? implicitlyBad = null;
        foreach (var c in pod)
        {
            var nonRoot = BoolAt(c.Context, "runAsNonRoot");
            if (nonRoot == false)
            {
                (explicitlyBad ??= []).Add(c.Name);
            }
            else if (nonRoot is null && podNonRoot != true)
            {
                (implicitlyBad ??= []).Add(c.Name);
            }
        }

        if (explicitlyBad is not null)
        {
            (details ??= []).Add($"{Subjects(explicitlyBad)} must not set securityContext.runAsNonRoot=false");
        }

        if (implicitlyBad is not null)
        {
            (details ??= []).Add($"pod or {Subjects(implicitlyBad)} must set securityContext.runAsNonRoot=true");
        }

        return details is null ? PodSecurityCheckResult.Allow : PodSecurityCheckResult.Forbid("runAsNonRoot != true", string.Join("; ", details));
    }

    private static PodSecurityCheckResult RunAsUser(in Pod pod)
    {
        List<string>? details = null;
        if (IsZero(pod.Context?["runAsUser"]))
        {
            (details ??= []).Add("pod must not set runAsUser=0");
        }

        List<string>? bad = null;
        foreach (var c in pod)
        {
            if (IsZero(c.Context?["runAsUser"]))
            {
                (bad ??= []).Add(c.Name);
            }
        }

        if (bad is not null)
        {
            (details ??= []).Add($"{Subjects(bad)} must not set runAsUser=0");
        }

        return details is null ? PodSecurityCheckResult.Allow : PodSecurityCheckResult.Forbid("runAsUser=0", string.Join("; ", details));
    }

    private static bool ValidRestrictedSeccomp(JsonNode? type) => IsString(type, "RuntimeDefault") || IsString(type, "Localhost");

    private static PodSecurityCheckResult SeccompRestricted(in Pod pod)
    {
        var podType = SeccompType(pod.Context);
        var podValid = ValidRestrictedSeccomp(podType);
        List<string>? details = null;
        if (IsAString(podType) && !podValid)
        {
            (details ??= []).Add($"pod must not set securityContext.seccompProfile.type to \"{AsString(podType)}\"");
        }

        List<string>? explicitlyBad = null;
        SortedSet<string>? badTypes = null;
        List<string>? implicitlyBad = null;
        foreach (var c in pod)
        {
            var t = SeccompType(c.Context);
            if (IsAString(t) && !ValidRestrictedSeccomp(t))
            {
                (explicitlyBad ??= []).Add(c.Name);
                (badTypes ??= new(StringComparer.Ordinal)).Add(AsString(t)!);
            }
            else if (!IsAString(t) && !podValid)
            {
                (implicitlyBad ??= []).Add(c.Name);
            }
        }

        if (explicitlyBad is not null)
        {
            (details ??= []).Add($"{Subjects(explicitlyBad)} must not set securityContext.seccompProfile.type to {JoinQuote(badTypes!)}");
        }

        if (implicitlyBad is not null)
        {
            (details ??= []).Add($"pod or {Subjects(implicitlyBad)} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\"");
        }

        return details is null ? PodSecurityCheckResult.Allow : PodSecurityCheckResult.Forbid("seccompProfile", string.Join("; ", details));
    }
}
