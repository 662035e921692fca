namespace Skiff.Client.Options;

/// <summary>Options that travel as URL query parameters (client-go's <c>VersionedParams</c>); unset fields are omitted.</summary>
public interface IQueryParameters
{
    IEnumerable<KeyValuePair<string, string>> ToQuery();
}
