namespace Skiff.Robustness.Model;

/// <summary>
/// An immutable, canonically ordered set of <see cref="KeyState"/>s: the state of the power-set model that turns the
/// nondeterministic <see cref="RevisionedStoreModel"/> into a deterministic one. Equal sets are equal and hash alike,
/// which the linearizability search's memo relies on.
/// </summary>
public sealed class StateSet : IEquatable<StateSet>
{
    private readonly KeyState[] _states;
    private readonly int _hash;

    private StateSet(KeyState[] states)
    {
        _states = states;
        var hash = new HashCode();
        foreach (var s in states)
        {
            hash.Add(s);
        }

        _hash = hash.ToHashCode();
    }

    /// <summary>The set holding only the initial (absent) state.</summary>
    public static StateSet Initial { get; } = new([KeyState.Initial]);

    public IReadOnlyList<KeyState> States => _states;

    public bool IsEmpty => _states.Length == 0;

    /// <summary>Every state reachable by <paramref name="step"/> from a state of this set.</summary>
    public StateSet Step(Func<KeyState, IEnumerable<KeyState>> step)
    {
        var next = new HashSet<KeyState>();
        foreach (var s in _states)
        {
            next.UnionWith(step(s));
        }

        return new StateSet([.. next.OrderBy(s => s.Exists).ThenBy(s => s.Rv ?? -1).ThenBy(s => s.Floor).ThenBy(s => s.Value?.Data, StringComparer.Ordinal).ThenBy(s => s.Value?.Label, StringComparer.Ordinal)]);
    }

    public bool Equals(StateSet? other) => other is not null && _hash == other._hash && _states.AsSpan().SequenceEqual(other._states);

    public override bool Equals(object? obj) => Equals(obj as StateSet);

    public override int GetHashCode() => _hash;

    public override string ToString() => _states.Length == 1 ? _states[0].ToString() : "{" + string.Join(" | ", _states) + "}";
}
