using Skiff.Robustness.History;

namespace Skiff.Robustness.Model;

/// <summary>
/// The state of one key in the sequential model of a revisioned store: absent or present with a resourceVersion and a
/// value, plus <see cref="Floor"/>, the highest revision known to have touched the key (every later write of the key
/// must get a larger one: revisions only grow).
/// </summary>
/// <param name="Exists">Whether the key exists.</param>
/// <param name="Rv">The object's resourceVersion; null when a write of unknown outcome set it (any precondition may match).</param>
/// <param name="Value">The object's value when it exists.</param>
/// <param name="Floor">Every later write of the key must return a resourceVersion above this.</param>
public readonly record struct KeyState(bool Exists, long? Rv, ObjectValue? Value, long Floor)
{
    /// <summary>The state before the first operation: absent, floor 0.</summary>
    public static KeyState Initial => new(false, null, null, 0);

    /// <summary>The key present at <paramref name="rv"/> (null = unknown) with <paramref name="value"/>.</summary>
    public KeyState Put(long? rv, ObjectValue value) => new(true, rv, value, Math.Max(Floor, rv ?? 0));

    /// <summary>The key deleted; its last revision stays a floor.</summary>
    public KeyState Deleted() => new(false, null, null, Math.Max(Floor, Rv ?? 0));

    /// <inheritdoc/>
    public override string ToString() => Exists ? $"{Value} rv={Rv?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}" : $"absent (floor {Floor})";
}
