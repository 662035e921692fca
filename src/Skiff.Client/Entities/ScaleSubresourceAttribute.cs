namespace Skiff.Client.Entities;

/// <summary>
/// Serves <c>/scale</c> (kubebuilder's <c>+kubebuilder:subresource:scale</c>), so <c>kubectl scale</c> and the
/// HorizontalPodAutoscaler work on the resource. Paths are simple JSONPaths such as <c>.spec.replicas</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ScaleSubresourceAttribute(string specReplicasPath, string statusReplicasPath) : Attribute
{
    /// <summary>The desired replicas, under <c>.spec</c>.</summary>
    public string SpecReplicasPath { get; } = specReplicasPath;

    /// <summary>The observed replicas, under <c>.status</c>.</summary>
    public string StatusReplicasPath { get; } = statusReplicasPath;

    /// <summary>The serialized label selector, under <c>.status</c> (optional).</summary>
    public string? LabelSelectorPath { get; set; }
}
