namespace Skiff.Client.Schema;

/// <summary>A resource of one group version, e.g. <c>apps/v1 deployments</c> (client-go <c>schema.GroupVersionResource</c>).</summary>
/// <param name="Group">"" for the core group.</param>
/// <param name="Version">e.g. v1.</param>
/// <param name="Resource">The lower-case plural, e.g. deployments.</param>
public sealed record GroupVersionResource(string Group, string Version, string Resource)
{
    /// <summary><c>group/version</c>, or just the version for the core group.</summary>
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    public override string ToString() => Group.Length == 0 ? $"{Version}, Resource={Resource}" : $"{Group}/{Version}, Resource={Resource}";
}
