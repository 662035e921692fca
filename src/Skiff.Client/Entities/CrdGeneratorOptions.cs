namespace Skiff.Client.Entities;

/// <summary>Options of <see cref="CustomResourceDefinitionGenerator"/>.</summary>
public sealed record CrdGeneratorOptions
{
    /// <summary>
    /// Write <c>description</c>s from <c>[Description]</c> and XML documentation (default: on; controller-gen's
    /// <c>crd:maxDescLen=0</c> is off).
    /// </summary>
    public bool Descriptions { get; init; } = true;
}
