namespace Skiff.OpenApiGen;

/// <summary>One upstream Go API package whose types Skiff serves (core/v1, apps/v1, meta/v1, …).</summary>
/// <param name="Prefix">The upstream schema-name prefix (<c>io.k8s.api.core.v1</c>).</param>
/// <param name="Group">The API group (empty for core; <c>null</c> for packages with no group of their own, like meta/v1).</param>
/// <param name="Version">The API version (<c>v1</c>).</param>
/// <param name="ClientPrefix">The group prefix KubernetesClient puts on a class name when two packages share it (<c>Corev1Event</c>).</param>
internal sealed record ServedPackage(string Prefix, string? Group, string Version, string ClientPrefix)
{
    /// <summary>The protobuf package of this Go package in the proto schema facts (<c>k8s.io.api.core.v1</c>).</summary>
    public string ProtoPackage => Prefix.StartsWith("io.k8s.", StringComparison.Ordinal) ? "k8s.io." + Prefix["io.k8s.".Length..] : Prefix;
}

/// <summary>
/// The API versions Skiff serves: the GA versions of the built-in groups (plus meta/v1 and the apimachinery
/// scalar packages). Schemas are generated only for types reachable from these packages' kinds.
/// </summary>
internal static class ServedPackages
{
    public static IReadOnlyList<ServedPackage> All { get; } =
    [
        Api("core", "", "v1"),
        Api("apps", "apps", "v1"),
        Api("batch", "batch", "v1"),
        Api("coordination", "coordination.k8s.io", "v1"),
        Api("events", "events.k8s.io", "v1"),
        Api("discovery", "discovery.k8s.io", "v1"),
        Api("policy", "policy", "v1"),
        Api("scheduling", "scheduling.k8s.io", "v1"),
        Api("rbac", "rbac.authorization.k8s.io", "v1"),
        Api("autoscaling", "autoscaling", "v1"),
        Api("autoscaling", "autoscaling", "v2"),
        Api("networking", "networking.k8s.io", "v1"),
        Api("storage", "storage.k8s.io", "v1"),
        Api("authorization", "authorization.k8s.io", "v1"),
        Api("authentication", "authentication.k8s.io", "v1"),
        Api("admissionregistration", "admissionregistration.k8s.io", "v1"),
        Api("certificates", "certificates.k8s.io", "v1"),
        Api("flowcontrol", "flowcontrol.apiserver.k8s.io", "v1"),
        Api("node", "node.k8s.io", "v1"),
        new("io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1", "apiextensions.k8s.io", "v1", "Apiextensions"),
        new("io.k8s.apimachinery.pkg.apis.meta.v1", null, "v1", "Meta"),
    ];

    private static ServedPackage Api(string pkg, string group, string version) =>
        new($"io.k8s.api.{pkg}.{version}", group, version, char.ToUpperInvariant(pkg[0]) + pkg[1..]);
}
