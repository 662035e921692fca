namespace Skiff.Client.Entities;

/// <summary>Options of <see cref="CustomResourceDefinitionGenerator"/>.</summary>
public sealed record CrdGeneratorOptions
{
    /// <summary>
    /// Write <c>description</c>s from <c>[Description]</c> and XML documentation (default: on; controller-gen's
    /// <c>crd:maxDescLen=0</c> is off).
    /// </summary>
    public bool Descriptions { get; init; } = true;

    /// <summary>
    /// Also describe the fields of embedded KubernetesClient models (a pod template's, a condition's) with upstream's
    /// texts (default: off). Off keeps a CRD with a pod template near 50 KB instead of 300 KB: client-side
    /// <c>kubectl apply</c> stores the whole object in the last-applied annotation, which upstream limits to 256 KiB
    /// (controller-gen's CRDs hit the same wall and need <c>--server-side</c>).
    /// </summary>
    public bool BuiltInDescriptions { get; init; }
}
