namespace Skiff.Client.Options;

/// <summary>metav1.ListOptions for list and watch.</summary>
public sealed record ListOptions : IQueryParameters
{
    public string? LabelSelector { get; init; }

    public string? FieldSelector { get; init; }

    /// <summary>List: "" = most recent (quorum read), "0" = any (cache). Watch: start after this version.</summary>
    public string? ResourceVersion { get; init; }

    /// <summary>NotOlderThan or Exact (lists only).</summary>
    public string? ResourceVersionMatch { get; init; }

    public long? Limit { get; init; }

    public string? Continue { get; init; }

    public long? TimeoutSeconds { get; init; }

    public bool AllowWatchBookmarks { get; init; }

    public bool? SendInitialEvents { get; init; }

    public IEnumerable<KeyValuePair<string, string>> ToQuery()
    {
        if (!string.IsNullOrEmpty(LabelSelector)) yield return new("labelSelector", LabelSelector);
        if (!string.IsNullOrEmpty(FieldSelector)) yield return new("fieldSelector", FieldSelector);
        if (ResourceVersion is not null) yield return new("resourceVersion", ResourceVersion);
        if (!string.IsNullOrEmpty(ResourceVersionMatch)) yield return new("resourceVersionMatch", ResourceVersionMatch);
        if (Limit is > 0) yield return new("limit", Limit.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(Continue)) yield return new("continue", Continue);
        if (TimeoutSeconds is { } t) yield return new("timeoutSeconds", t.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (AllowWatchBookmarks) yield return new("allowWatchBookmarks", "true");
        if (SendInitialEvents is { } s) yield return new("sendInitialEvents", s ? "true" : "false");
    }
}
