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
        var checks = ChecksOf(level);
        if (checks.Length == 0)
        {
            return [];
        }

        List<string>? failures = null;
        using var pod = new Pod(spec);
        foreach (var check in checks)
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
        var checks = ChecksOf(level);
        if (checks.Length == 0)
        {
            return true;
        }

        using var pod = new Pod(spec);
        foreach (var check in checks)
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

    private static JsonNode? SeccompType(JsonObject? securityContext) => (securityContext?["seccompProfile"] as JsonObject)?["type"];

    /// <summary>The containers of the pod being checked on this thread (a scratch list reused by every check, so a
    /// check costs no allocation once the thread has seen a pod with as many containers).</summary>
    [ThreadStatic]
    private static List<Container>? t_containers;

    /// <summary>
    /// What every check reads of a pod spec, looked up once for all of them: the spec, its securityContext, and its
    /// init, regular and ephemeral containers (<c>foreach (var c in pod)</c>, in that order) each with its
    /// securityContext. It lives for one <see cref="Evaluate"/> or <see cref="Passes"/> on one thread (it lends the
    /// thread's scratch list; <see cref="Dispose"/> gives the containers back).
    /// </summary>
    private readonly struct Pod : IDisposable
    {
        private readonly List<Container> _containers;

        public Pod(JsonObject spec)
        {
            Spec = spec;
            Context = spec["securityContext"] as JsonObject;
            _containers = t_containers ??= new(4);
            _containers.Clear();
            Add(_containers, spec["initContainers"]);
            Add(_containers, spec["containers"]);
            Add(_containers, spec["ephemeralContainers"]);
        }

        public JsonObject Spec { get; }

        public JsonObject? Context { get; }

        public List<Container>.Enumerator GetEnumerator() => _containers.GetEnumerator();

        public void Dispose() => _containers.Clear();

        private static void Add(List<Container> containers, JsonNode? list)
        {
            if (list is not JsonArray array)
            {
                return;
            }

            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is JsonObject c)
                {
                    containers.Add(new Container(c, c["securityContext"] as JsonObject));
                }
            }
        }
    }

    /// <summary>One container (entries that are not objects are skipped) and its securityContext.</summary>
    private readonly record struct Container(JsonObject Obj, JsonObject? Context)
    {
        public string Name => NameOf(Obj);
    }
}
