using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// The Pod Security Standards checks (upstream's <c>pod-security-admission/policy/check_*.go</c>), in upstream's order
/// (by check ID). Each check is one function that reads the pod once and returns a <see cref="PodSecurityCheckResult"/>,
/// building upstream's reason and detail texts only when it forbids: <see cref="Passes"/> (stops at the first failure)
/// and <see cref="Evaluate"/> (the texts of every failure) run the same checks, and a passing pod — the common case —
/// costs no lists, strings or LINQ. <c>privileged</c> runs no check, <c>baseline</c> the baseline checks,
/// <c>restricted</c> both (restrictedVolumes replaces hostPathVolumes and the restricted seccompProfile replaces the
/// baseline one, as upstream overrides them).
/// </summary>
public static partial class PodSecurityChecks
{
    private static readonly Check[] BaselineChecks =
    [
        CapabilitiesBaseline, HostNamespaces, HostPathVolumes, HostPorts, Privileged, ProcMount, SeccompBaseline, Sysctls,
    ];

    private static readonly Check[] RestrictedChecks =
    [
        AllowPrivilegeEscalation, CapabilitiesBaseline, CapabilitiesRestricted, HostNamespaces, HostPorts, Privileged, ProcMount,
        RestrictedVolumes, RunAsNonRoot, RunAsUser, SeccompRestricted, Sysctls,
    ];

    private delegate PodSecurityCheckResult Check(in Pod pod);

    /// <summary>The failures of <paramref name="spec"/> at <paramref name="level"/>: <c>reason (detail)</c> each; the
    /// empty list (no allocation) when it passes.</summary>
    public static IReadOnlyList<string> Evaluate(string level, JsonObject? podMeta, JsonObject spec)
    {
        _ = podMeta;
        List<string>? failures = null;
        var pod = new Pod(spec);
        foreach (var check in ChecksOf(level))
        {
            var result = check(in pod);
            if (!result.Allowed)
            {
                (failures ??= []).Add(result.Message);
            }
        }

        return failures ?? (IReadOnlyList<string>)[];
    }

    /// <summary>True when <paramref name="spec"/> has no failure at <paramref name="level"/> (<see cref="Evaluate"/> is empty).</summary>
    public static bool Passes(string level, JsonObject spec)
    {
        var pod = new Pod(spec);
        foreach (var check in ChecksOf(level))
        {
            if (!check(in pod).Allowed)
            {
                return false;
            }
        }

        return true;
    }

    private static Check[] ChecksOf(string level) => level switch
    {
        "restricted" => RestrictedChecks,
        "baseline" => BaselineChecks,
        _ => [],
    };

    private static string NameOf(JsonObject c) => AsString(c["name"]) ?? "";

    private static string Plural(int n, string one, string many) => n == 1 ? one : many;

    private static string JoinQuote(IEnumerable<string> items) => string.Join(", ", items.Select(i => $"\"{i}\""));

    private static string Subjects(List<string> names, string one = "container", string many = "containers") =>
        $"{Plural(names.Count, one, many)} {JoinQuote(names)}";

    private static bool IsTrue(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    private static bool? BoolAt(JsonObject? obj, string key) => obj?[key] is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
        ? v.GetValueKind() == JsonValueKind.True
        : null;

    private static string? AsString(JsonNode? node) => Registry.JsonPath.AsString(node);

    private static bool IsZero(JsonNode? node) => node is not null && Registry.JsonPath.AsLong(node) == 0;

    /// <summary>Whether <paramref name="node"/> is a JSON string.</summary>
    private static bool IsAString(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String;

    /// <summary>Whether <paramref name="node"/> is the JSON string <paramref name="text"/>, compared in place for a
    /// parsed value (no string is made, which keeps a passing pod's checks allocation-free).</summary>
    private static bool IsString(JsonNode? node, string text) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String && (v.TryGetValue<JsonElement>(out var e) ? e.ValueEquals(text) : v.GetValue<string>() == text);

    private static JsonObject? SecurityContext(JsonObject container) => container["securityContext"] as JsonObject;

    private static JsonNode? SeccompType(JsonObject? securityContext) => (securityContext?["seccompProfile"] as JsonObject)?["type"];

    /// <summary>
    /// What every check reads of a pod spec, looked up once: the spec, its securityContext, and its init, regular and
    /// ephemeral containers (<c>foreach (var c in pod)</c>, in that order, without allocating).
    /// </summary>
    private readonly struct Pod(JsonObject spec)
    {
        private readonly JsonArray? _init = spec["initContainers"] as JsonArray;
        private readonly JsonArray? _containers = spec["containers"] as JsonArray;
        private readonly JsonArray? _ephemeral = spec["ephemeralContainers"] as JsonArray;

        public JsonObject Spec { get; } = spec;

        public JsonObject? Context { get; } = spec["securityContext"] as JsonObject;

        public Containers GetEnumerator() => new(_init, _containers, _ephemeral);
    }

    /// <summary>The containers of a <see cref="Pod"/>, skipping entries that are not objects.</summary>
    private struct Containers(JsonArray? init, JsonArray? containers, JsonArray? ephemeral)
    {
        private int _list;
        private int _index = -1;

        public JsonObject Current { get; private set; } = null!;

        public bool MoveNext()
        {
            while (_list < 3)
            {
                var array = _list switch { 0 => init, 1 => containers, _ => ephemeral };
                while (array is not null && ++_index < array.Count)
                {
                    if (array[_index] is JsonObject c)
                    {
                        Current = c;
                        return true;
                    }
                }

                _list++;
                _index = -1;
            }

            return false;
        }
    }
}
