namespace Skiff.Client.Rest;

/// <summary>The patch formats, each sent with its own content type.</summary>
public enum PatchType
{
    /// <summary>RFC 6902, <c>application/json-patch+json</c>.</summary>
    Json,

    /// <summary>RFC 7386, <c>application/merge-patch+json</c>.</summary>
    Merge,

    /// <summary><c>application/strategic-merge-patch+json</c>.</summary>
    StrategicMerge,

    /// <summary>Server-side apply, <c>application/apply-patch+yaml</c> (JSON is valid YAML).</summary>
    Apply,
}
