using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's <c>PodSecurity</c> plugin: the Pod Security Standards (<see cref="PodSecurityChecks"/>) by the
/// namespace's <c>pod-security.kubernetes.io/{enforce,warn,audit}[-version]</c> labels. A pod created against the
/// enforce level is 403 <c>pods "x" is forbidden: violates PodSecurity "restricted:latest": …</c>; against the warn
/// level it gets a <c>would violate PodSecurity "…": …</c> warning. Workloads with a pod template (deployments,
/// replica sets, stateful sets, daemon sets, jobs, cron jobs, replication controllers, pod templates) are never
/// refused: their template gets the warnings of the warn level and, when stricter, of the enforce level. The audit
/// level's violations become the <c>pod-security.kubernetes.io/audit-violations</c> audit annotation, and a pod's
/// enforced level the <c>pod-security.kubernetes.io/enforce-policy</c> one.
/// </summary>
public sealed class PodSecurity(AdmissionReader reader) : IValidatingAdmissionPlugin
{
    private const string LabelPrefix = "pod-security.kubernetes.io/";

    private readonly DerivedCache<JsonObject, NamespacePolicy> _policies = new(NamespacePolicy.Parse, static (p, ns) => ReferenceEquals(p.Namespace, ns));

    /// <inheritdoc/>
    public string Name => "PodSecurity";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => operation is AdmissionOperation.Create or AdmissionOperation.Update;

    /// <inheritdoc/>
    public async ValueTask ValidateAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (a.Object is not { } obj || a.Namespace.Length == 0 || a.Subresource.Length > 0 && a.Subresource != "ephemeralcontainers")
        {
            return;
        }

        var isPod = a.Group.Length == 0 && a.Resource == "pods";
        var template = isPod ? null : TemplateSpec(a, obj);
        if (!isPod && template is null)
        {
            return;
        }

        if (isPod && a.Operation == AdmissionOperation.Update && a.Subresource.Length == 0
            && JsonNode.DeepEquals(a.OldObject?["spec"], obj["spec"]))
        {
            // Upstream skips pod updates that change nothing the policy looks at.
            return;
        }

        var ns = await reader.GetAsync("", "namespaces", "", a.Namespace, ct).ConfigureAwait(false);
        var policy = PolicyOf(ns);
        var (enforce, enforceVersion) = policy.Enforce;
        var (warn, warnVersion) = policy.Warn;
        var (audit, auditVersion) = policy.Audit;
        if (isPod)
        {
            a.AddAnnotation(LabelPrefix + "enforce-policy", policy.EnforcePolicy);
        }

        if (enforce == "privileged" && warn == "privileged" && audit == "privileged")
        {
            return;
        }

        if (isPod)
        {
            var spec = JsonPath.Obj(obj, "spec") ?? [];
            var meta = JsonPath.Obj(obj, "metadata");
            Audit(a, audit, auditVersion, meta, spec);
            if (Violations(enforce, meta, spec) is { Count: > 0 } violations)
            {
                throw AdmissionErrors.Forbidden(a, $"violates PodSecurity \"{enforce}:{enforceVersion}\": {string.Join(", ", violations)}");
            }

            Warn(a, warn, warnVersion, meta, spec);
            return;
        }

        Audit(a, audit, auditVersion, JsonPath.Obj(template, "metadata"), JsonPath.Obj(template, "spec") ?? []);
        Warn(a, warn, warnVersion, JsonPath.Obj(template, "metadata"), JsonPath.Obj(template, "spec") ?? []);
        if (Stricter(enforce, warn))
        {
            Warn(a, enforce, enforceVersion, JsonPath.Obj(template, "metadata"), JsonPath.Obj(template, "spec") ?? []);
        }
    }

    private static void Warn(AdmissionAttributes a, string level, string version, JsonObject? meta, JsonObject spec)
    {
        if (Violations(level, meta, spec) is { Count: > 0 } violations)
        {
            a.AddWarning($"would violate PodSecurity \"{level}:{version}\": {string.Join(", ", violations)}");
        }
    }

    /// <summary>The audit mode: violations become the <c>pod-security.kubernetes.io/audit-violations</c> audit annotation.</summary>
    private static void Audit(AdmissionAttributes a, string level, string version, JsonObject? meta, JsonObject spec)
    {
        if (level == "privileged")
        {
            return;
        }

        if (Violations(level, meta, spec) is { Count: > 0 } violations)
        {
            a.AddAnnotation(LabelPrefix + "audit-violations", $"would violate PodSecurity \"{level}:{version}\": {string.Join(", ", violations)}");
        }
    }

    /// <summary>The pod's failures at <paramref name="level"/>; their texts are built only for a pod that fails.</summary>
    private static IReadOnlyList<string> Violations(string level, JsonObject? meta, JsonObject spec) => PodSecurityChecks.Evaluate(level, meta, spec);

    /// <summary>The namespace's policy, parsed once per version of the namespace.</summary>
    private NamespacePolicy PolicyOf(JsonObject? ns) =>
        ns is null ? NamespacePolicy.Unlabelled : _policies.Get(JsonPath.Str(ns, "metadata", "name") ?? "", ns);

    private static bool Stricter(string a, string b) => Rank(a) > Rank(b);

    private static int Rank(string level) => level switch { "restricted" => 2, "baseline" => 1, _ => 0 };

    /// <summary>The three modes' levels and versions of one namespace version (<see cref="Namespace"/>).</summary>
    private sealed record NamespacePolicy(JsonObject? Namespace, (string Level, string Version) Enforce, (string Level, string Version) Warn, (string Level, string Version) Audit)
    {
        public static NamespacePolicy Unlabelled { get; } = Parse(null);

        /// <summary>The <c>pod-security.kubernetes.io/enforce-policy</c> annotation's value, <c>level:version</c>.</summary>
        public string EnforcePolicy { get; } = $"{Enforce.Level}:{Enforce.Version}";

        public static NamespacePolicy Parse(JsonObject? ns) => new(ns, Level(ns, "enforce"), Level(ns, "warn"), Level(ns, "audit"));

        /// <summary>A mode's level and version from the namespace labels (privileged / latest when unset or invalid).</summary>
        private static (string Level, string Version) Level(JsonObject? ns, string mode)
        {
            var level = JsonPath.Str(ns, "metadata", "labels", LabelPrefix + mode) ?? "privileged";
            if (level is not ("privileged" or "baseline" or "restricted"))
            {
                // Upstream treats an invalid level as the strictest, restricted.
                level = "restricted";
            }

            var version = JsonPath.Str(ns, "metadata", "labels", LabelPrefix + mode + "-version") is { Length: > 0 } v ? v : "latest";
            return (level, version);
        }
    }

    /// <summary>The pod template of a workload resource, or null for other resources.</summary>
    private static JsonObject? TemplateSpec(AdmissionAttributes a, JsonObject obj) => (a.Group, a.Resource) switch
    {
        ("apps", "deployments" or "replicasets" or "statefulsets" or "daemonsets") or ("batch", "jobs") or ("", "replicationcontrollers")
            => JsonPath.Obj(obj, "spec", "template"),
        ("batch", "cronjobs") => JsonPath.Obj(obj, "spec", "jobTemplate", "spec", "template"),
        ("", "podtemplates") => JsonPath.Obj(obj, "template"),
        _ => null,
    };
}
