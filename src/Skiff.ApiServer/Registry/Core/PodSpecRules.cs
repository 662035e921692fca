using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// The rules every pod spec follows, in a pod and in a pod template (deployments, jobs, …): upstream's defaults
/// (<c>pkg/apis/core/v1/defaults.go</c> and the generated defaulters) and the core of
/// <c>ValidatePodSpec</c> (containers, names, images, ports, enumerations) with upstream's field paths and texts.
/// </summary>
public static class PodSpecRules
{
    private static readonly string[] RestartPolicies = ["Always", "OnFailure", "Never"];
    private static readonly string[] DnsPolicies = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"];
    private static readonly string[] PullPolicies = ["Always", "IfNotPresent", "Never"];
    private static readonly string[] Protocols = ["SCTP", "TCP", "UDP"];
    private static readonly string[] TerminationMessagePolicies = ["File", "FallbackToLogsOnError"];

    /// <summary>Applies the pod-spec defaults (idempotent). <paramref name="isPod"/> adds the pod-only ones.</summary>
    public static void ApplyDefaults(JsonObject spec, bool isPod)
    {
        JsonPath.DefaultString(spec, "dnsPolicy", "ClusterFirst");
        JsonPath.DefaultString(spec, "restartPolicy", "Always");
        JsonPath.Default(spec, "terminationGracePeriodSeconds", 30);
        JsonPath.Default(spec, "securityContext", new JsonObject());
        JsonPath.DefaultString(spec, "schedulerName", "default-scheduler");
        var hostNetwork = JsonPath.Bool(spec, "hostNetwork") == true;
        foreach (var key in (string[])["initContainers", "containers", "ephemeralContainers"])
        {
            foreach (var c in JsonPath.Objects(spec, key))
            {
                ApplyContainerDefaults(c, hostNetwork, isPod);
            }
        }

        foreach (var v in JsonPath.Objects(spec, "volumes"))
        {
            ApplyVolumeDefaults(v);
        }

        if (isPod)
        {
            JsonPath.Default(spec, "enableServiceLinks", true);
            if (JsonPath.Str(spec, "serviceAccountName") is null or "")
            {
                spec["serviceAccountName"] = JsonPath.Str(spec, "serviceAccount") is { Length: > 0 } sa ? sa : "default";
            }

            JsonPath.DefaultString(spec, "serviceAccount", JsonPath.Str(spec, "serviceAccountName")!);
        }
    }

    private static void ApplyContainerDefaults(JsonObject c, bool hostNetwork, bool isPod)
    {
        JsonPath.DefaultString(c, "terminationMessagePath", "/dev/termination-log");
        JsonPath.DefaultString(c, "terminationMessagePolicy", "File");
        if (JsonPath.Str(c, "imagePullPolicy") is null or "")
        {
            c["imagePullPolicy"] = ImageTag(JsonPath.Str(c, "image") ?? "") == "latest" ? "Always" : "IfNotPresent";
        }

        foreach (var p in JsonPath.Objects(c, "ports"))
        {
            JsonPath.DefaultString(p, "protocol", "TCP");
            if (hostNetwork && JsonPath.Long(p, "hostPort") is null or 0 && p["containerPort"] is { } cp)
            {
                p["hostPort"] = cp.DeepClone();
            }
        }

        foreach (var e in JsonPath.Objects(c, "env"))
        {
            if (JsonPath.Obj(e, "valueFrom", "fieldRef") is { } fr)
            {
                JsonPath.DefaultString(fr, "apiVersion", "v1");
            }
        }

        foreach (var probe in (string[])["livenessProbe", "readinessProbe", "startupProbe"])
        {
            if (c[probe] is JsonObject p)
            {
                JsonPath.Default(p, "timeoutSeconds", 1);
                JsonPath.Default(p, "periodSeconds", 10);
                JsonPath.Default(p, "successThreshold", 1);
                JsonPath.Default(p, "failureThreshold", 3);
                if (p["httpGet"] is JsonObject h)
                {
                    JsonPath.DefaultString(h, "path", "/");
                    JsonPath.DefaultString(h, "scheme", "HTTP");
                }
            }
        }

        if (isPod && JsonPath.Obj(c, "resources", "limits") is { Count: > 0 } limits)
        {
            var requests = JsonPath.Ensure(JsonPath.Ensure(c, "resources"), "requests");
            foreach (var (k, v) in limits)
            {
                if (!requests.ContainsKey(k))
                {
                    requests[k] = v?.DeepClone();
                }
            }
        }
    }

    private static void ApplyVolumeDefaults(JsonObject v)
    {
        foreach (var source in (string[])["secret", "configMap", "downwardAPI", "projected"])
        {
            if (v[source] is JsonObject s)
            {
                JsonPath.Default(s, "defaultMode", 420);
            }
        }

        if (v["hostPath"] is JsonObject hp)
        {
            JsonPath.Default(hp, "type", "");
        }

        if (v.Count == 1 && v.ContainsKey("name"))
        {
            v["emptyDir"] = new JsonObject();
        }
    }

    /// <summary>
    /// The tag of an image reference as upstream's <c>parsers.ParseImageName</c> sees it: "latest" when neither tag
    /// nor digest is given, "" when only a digest is.
    /// </summary>
    public static string ImageTag(string image)
    {
        var at = image.IndexOf('@');
        var hasDigest = at >= 0;
        var name = hasDigest ? image[..at] : image;
        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            return name[(colon + 1)..];
        }

        return hasDigest ? "" : "latest";
    }

    /// <summary>
    /// Validates a pod spec at <paramref name="path"/> (e.g. <c>spec</c> or <c>spec.template.spec</c>).
    /// <paramref name="isPod"/> requires images (templates may leave them to admission).
    /// </summary>
    public static IEnumerable<FieldError> Validate(JsonNode? specNode, string path, bool isPod)
    {
        if (specNode is not JsonObject spec)
        {
            yield return FieldError.Required(path + ".containers");
            yield break;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var volumes = new HashSet<string>(StringComparer.Ordinal);
        var vi = 0;
        foreach (var v in JsonPath.Objects(spec, "volumes"))
        {
            var vp = $"{path}.volumes[{vi++}]";
            var vn = JsonPath.Str(v, "name") ?? "";
            if (vn.Length == 0)
            {
                yield return FieldError.Required(vp + ".name");
            }
            else
            {
                foreach (var e in Rules.Invalid(vp + ".name", vn, Rules.Dns1123Label(vn)))
                {
                    yield return e;
                }

                if (!volumes.Add(vn))
                {
                    yield return FieldError.Duplicate(vp + ".name", Rules.Q(vn));
                }
            }
        }

        foreach (var e in ValidateContainers(spec, "initContainers", path, isPod, names, volumes))
        {
            yield return e;
        }

        if (JsonPath.Arr(spec, "containers") is not { Count: > 0 })
        {
            yield return FieldError.Required(path + ".containers");
        }
        else
        {
            foreach (var e in ValidateContainers(spec, "containers", path, isPod, names, volumes))
            {
                yield return e;
            }
        }

        foreach (var e in Enum(spec, "restartPolicy", path, RestartPolicies))
        {
            yield return e;
        }

        foreach (var e in Enum(spec, "dnsPolicy", path, DnsPolicies))
        {
            yield return e;
        }

        if (JsonPath.Long(spec, "terminationGracePeriodSeconds") is < 0 and var tg)
        {
            yield return FieldError.Invalid(path + ".terminationGracePeriodSeconds", tg.ToString(), "must be greater than or equal to 0");
        }

        if (JsonPath.Long(spec, "activeDeadlineSeconds") is { } ad && ad <= 0)
        {
            yield return FieldError.Invalid(path + ".activeDeadlineSeconds", ad.ToString(), "must be between 1 and 2147483647, inclusive");
        }

        if (JsonPath.Str(spec, "serviceAccountName") is { Length: > 0 } san)
        {
            foreach (var e in Rules.Invalid(path + ".serviceAccountName", san, Rules.Dns1123Subdomain(san)))
            {
                yield return e;
            }
        }

        if (JsonPath.Str(spec, "nodeName") is { Length: > 0 } nodeName)
        {
            foreach (var e in Rules.Invalid(path + ".nodeName", nodeName, Rules.Dns1123Subdomain(nodeName)))
            {
                yield return e;
            }
        }
    }

    private static IEnumerable<FieldError> ValidateContainers(JsonObject spec, string key, string path, bool isPod, HashSet<string> names, HashSet<string> volumes)
    {
        var i = 0;
        foreach (var node in JsonPath.Arr(spec, key) ?? [])
        {
            var cp = $"{path}.{key}[{i++}]";
            if (node is not JsonObject c)
            {
                continue;
            }

            var name = JsonPath.Str(c, "name") ?? "";
            if (name.Length == 0)
            {
                yield return FieldError.Required(cp + ".name");
            }
            else
            {
                foreach (var e in Rules.Invalid(cp + ".name", name, Rules.Dns1123Label(name)))
                {
                    yield return e;
                }

                if (!names.Add(name))
                {
                    yield return FieldError.Duplicate(cp + ".name", Rules.Q(name));
                }
            }

            var image = JsonPath.Str(c, "image");
            if (isPod && string.IsNullOrEmpty(image))
            {
                yield return FieldError.Required(cp + ".image");
            }
            else if (image is not null && image.Length > 0 && image.Trim() != image)
            {
                yield return FieldError.Invalid(cp + ".image", Rules.Q(image), "must not have leading or trailing whitespace");
            }

            foreach (var e in Enum(c, "imagePullPolicy", cp, PullPolicies))
            {
                yield return e;
            }

            foreach (var e in Enum(c, "terminationMessagePolicy", cp, TerminationMessagePolicies))
            {
                yield return e;
            }

            foreach (var e in ValidateResources(c, cp))
            {
                yield return e;
            }

            var pi = 0;
            var portNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in JsonPath.Objects(c, "ports"))
            {
                var pp = $"{cp}.ports[{pi++}]";
                if (JsonPath.Str(p, "name") is { Length: > 0 } pn)
                {
                    foreach (var m in Rules.PortName(pn))
                    {
                        yield return FieldError.Invalid(pp + ".name", Rules.Q(pn), m);
                    }

                    if (!portNames.Add(pn))
                    {
                        yield return FieldError.Duplicate(pp + ".name", Rules.Q(pn));
                    }
                }

                var port = JsonPath.Long(p, "containerPort");
                if (port is null or 0)
                {
                    yield return FieldError.Required(pp + ".containerPort");
                }
                else
                {
                    foreach (var m in Rules.PortNumber(port.Value))
                    {
                        yield return FieldError.Invalid(pp + ".containerPort", port.Value.ToString(), m);
                    }
                }

                if (JsonPath.Long(p, "hostPort") is { } hp and not 0)
                {
                    foreach (var m in Rules.PortNumber(hp))
                    {
                        yield return FieldError.Invalid(pp + ".hostPort", hp.ToString(), m);
                    }
                }

                foreach (var e in Enum(p, "protocol", pp, Protocols))
                {
                    yield return e;
                }
            }

            var mi = 0;
            foreach (var m in JsonPath.Objects(c, "volumeMounts"))
            {
                var mp = $"{cp}.volumeMounts[{mi++}]";
                var mn = JsonPath.Str(m, "name") ?? "";
                if (mn.Length == 0)
                {
                    yield return FieldError.Required(mp + ".name");
                }
                else if (!volumes.Contains(mn))
                {
                    yield return new FieldError(FieldErrorType.NotFound, mp + ".name", Rules.Q(mn), "");
                }

                if (JsonPath.Str(m, "mountPath") is null or "")
                {
                    yield return FieldError.Required(mp + ".mountPath");
                }
            }
        }
    }

    private static IEnumerable<FieldError> ValidateResources(JsonObject c, string cp)
    {
        var limits = JsonPath.Obj(c, "resources", "limits");
        var requests = JsonPath.Obj(c, "resources", "requests");
        var parsedLimits = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (kind, map) in new[] { ("limits", limits), ("requests", requests) })
        {
            foreach (var (name, value) in map ?? [])
            {
                var field = $"{cp}.resources.{kind}[{name}]";
                var text = JsonPath.AsString(value) ?? value?.ToJsonString() ?? "";
                if (!QuantityValue.TryParse(value, out var q))
                {
                    yield return FieldError.Invalid(field, Rules.Q(text), "quantities must match the regular expression '" + QuantityValue.Pattern + "'");
                    continue;
                }

                if (q < 0)
                {
                    yield return FieldError.Invalid(field, Rules.Q(text), "must be greater than or equal to 0");
                    continue;
                }

                if (kind == "limits")
                {
                    parsedLimits[name] = q;
                }
                else if (parsedLimits.TryGetValue(name, out var limit) && q > limit)
                {
                    var limitText = JsonPath.AsString(limits![name]) ?? limits[name]?.ToJsonString() ?? "";
                    yield return FieldError.Invalid($"{cp}.resources.requests[{name}]", Rules.Q(text), $"must be less than or equal to {name} limit of {limitText}");
                }
            }
        }
    }

    private static IEnumerable<FieldError> Enum(JsonObject obj, string key, string path, string[] supported)
    {
        if (JsonPath.Str(obj, key) is { } value && !supported.Contains(value))
        {
            yield return FieldError.NotSupported($"{path}.{key}", Rules.Q(value), supported);
        }
    }
}
