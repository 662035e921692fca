using Skiff.Api.Selectors;

namespace Skiff.ApiServer.Store;

/// <summary>Validated list and watch parameters.</summary>
internal sealed record ListQuery
{
    public string ResourceVersion { get; init; } = "";
    public string ResourceVersionMatch { get; init; } = "";
    public long Limit { get; init; }
    public string Continue { get; init; } = "";
    public LabelSelector Labels { get; init; } = LabelSelector.Everything;
    public FieldSelector Fields { get; init; } = FieldSelector.Everything;
    public bool AllowBookmarks { get; init; }
    public bool? SendInitialEvents { get; init; }
    public TimeSpan? Timeout { get; init; }
}
