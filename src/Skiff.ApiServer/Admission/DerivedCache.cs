using System.Collections.Concurrent;

namespace Skiff.ApiServer.Admission;

/// <summary>
/// What a plugin works out from objects <see cref="AdmissionReader"/> shares (a namespace's PodSecurity labels, its
/// LimitRanges' defaults), kept per key (the namespace) while the source is the same: the reader hands out one object
/// per version, so "the same" is a reference comparison (<paramref name="isFor"/>) and a new version derives afresh.
/// Bounded: past <paramref name="capacity"/> keys it starts over. Safe for concurrent use; values must be immutable.
/// </summary>
internal sealed class DerivedCache<TSource, TValue>(Func<TSource, TValue> derive, Func<TValue, TSource, bool> isFor, int capacity = 4096)
    where TValue : class
{
    private readonly ConcurrentDictionary<string, TValue> _values = new(StringComparer.Ordinal);

    /// <summary>The value derived from <paramref name="source"/> under <paramref name="key"/>, derived now unless known.</summary>
    public TValue Get(string key, TSource source)
    {
        if (_values.TryGetValue(key, out var known) && isFor(known, source))
        {
            return known;
        }

        var value = derive(source);
        if (_values.Count >= capacity)
        {
            _values.Clear();
        }

        _values[key] = value;
        return value;
    }
}
