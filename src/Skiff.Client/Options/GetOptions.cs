namespace Skiff.Client.Options;

/// <summary>metav1.GetOptions.</summary>
public sealed record GetOptions : IQueryParameters
{
    /// <summary>"" = most recent; "0" = any version the server has cached.</summary>
    public string? ResourceVersion { get; init; }

    public IEnumerable<KeyValuePair<string, string>> ToQuery()
    {
        if (!string.IsNullOrEmpty(ResourceVersion)) yield return new("resourceVersion", ResourceVersion);
    }
}
