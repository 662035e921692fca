namespace Skiff.ApiServer.Authorization;

/// <summary>Compares rules by the contents of their lists (records compare lists by reference).</summary>
public sealed class PolicyRuleComparer : IEqualityComparer<PolicyRule>
{
    /// <summary>The shared instance.</summary>
    public static PolicyRuleComparer Instance { get; } = new();

    /// <inheritdoc/>
    public bool Equals(PolicyRule? x, PolicyRule? y) =>
        ReferenceEquals(x, y) || (x is not null && y is not null && x.Verbs.SequenceEqual(y.Verbs) && x.ApiGroups.SequenceEqual(y.ApiGroups)
            && x.Resources.SequenceEqual(y.Resources) && x.ResourceNames.SequenceEqual(y.ResourceNames) && x.NonResourceUrls.SequenceEqual(y.NonResourceUrls));

    /// <inheritdoc/>
    public int GetHashCode(PolicyRule obj) => HashCode.Combine(string.Join(",", obj.Verbs), string.Join(",", obj.ApiGroups), string.Join(",", obj.Resources), string.Join(",", obj.NonResourceUrls));
}
