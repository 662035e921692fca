namespace Skiff.Client.Schema;

/// <summary>A kind of one group version, e.g. <c>apps/v1 Deployment</c> (client-go <c>schema.GroupVersionKind</c>).</summary>
public sealed record GroupVersionKind(string Group, string Version, string Kind)
{
    /// <summary><c>group/version</c>, or just the version for the core group (an object's <c>apiVersion</c>).</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>Splits an object's <c>apiVersion</c> and combines it with <paramref name="kind"/>.</summary>
    public static GroupVersionKind FromApiVersion(string apiVersion, string kind)
    {
        var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? new("", apiVersion, kind) : new(apiVersion[..slash], apiVersion[(slash + 1)..], kind);
    }

    public override string ToString() => Group.Length == 0 ? $"{Version}, Kind={Kind}" : $"{Group}/{Version}, Kind={Kind}";
}
