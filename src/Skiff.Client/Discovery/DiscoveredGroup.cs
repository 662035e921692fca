namespace Skiff.Client.Discovery;

/// <summary>An API group and its served versions, the server's preferred version first ("" is the core group).</summary>
public sealed record DiscoveredGroup(string Name, IReadOnlyList<string> Versions)
{
    /// <summary>The server's preferred version.</summary>
    public string PreferredVersion => Versions[0];
}
