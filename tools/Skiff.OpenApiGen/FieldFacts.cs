namespace Skiff.OpenApiGen;

/// <summary>The strategic-merge and list/map facts of one field (or of a schema itself, for <see cref="MapType"/>).</summary>
internal sealed record FieldFacts
{
    public string? PatchMergeKey { get; init; }

    public string? PatchStrategy { get; init; }

    public string? ListType { get; init; }

    public IReadOnlyList<string>? ListMapKeys { get; init; }

    public string? MapType { get; init; }
}
