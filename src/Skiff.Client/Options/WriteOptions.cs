namespace Skiff.Client.Options;

/// <summary>metav1.CreateOptions / UpdateOptions / PatchOptions: dry run, field manager, field validation, force (apply).</summary>
public sealed record WriteOptions : IQueryParameters
{
    /// <summary>Validate and admit, but persist nothing (<c>dryRun=All</c>).</summary>
    public bool DryRun { get; init; }

    public string? FieldManager { get; init; }

    /// <summary>Ignore, Warn or Strict.</summary>
    public string? FieldValidation { get; init; }

    /// <summary>Apply patches only: take ownership of conflicting fields.</summary>
    public bool? Force { get; init; }

    public IEnumerable<KeyValuePair<string, string>> ToQuery()
    {
        if (DryRun) yield return new("dryRun", "All");
        if (!string.IsNullOrEmpty(FieldManager)) yield return new("fieldManager", FieldManager);
        if (!string.IsNullOrEmpty(FieldValidation)) yield return new("fieldValidation", FieldValidation);
        if (Force is { } f) yield return new("force", f ? "true" : "false");
    }
}
