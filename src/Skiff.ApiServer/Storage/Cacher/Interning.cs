using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace Skiff.ApiServer.Storage.Cacher;

/// <summary>
/// Shares the short strings (names, namespaces, label keys and values) and the label sets of cached objects, so that
/// 10,000 pods of one ReplicaSet hold one label set, not 10,000. Both pools are bounded; past the bound values are simply
/// not shared.
/// </summary>
internal static class Interning
{
    private const int MaxStringLength = 128;
    private const int MaxEntries = 200_000;
    private static readonly ConcurrentDictionary<string, string> StringPool = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> StringLookup =
        StringPool.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly ConcurrentDictionary<Dictionary<string, string>, Dictionary<string, string>> LabelPool = new(LabelSetComparer.Instance);

    /// <summary>The empty label set.</summary>
    public static readonly IReadOnlyDictionary<string, string> NoLabels = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The current string token (or property name) of <paramref name="reader"/>, shared when it is short.</summary>
    public static string String(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxStringLength)
        {
            return reader.GetString()!;
        }

        Span<char> chars = stackalloc char[MaxStringLength];
        var n = Encoding.UTF8.GetChars(reader.ValueSpan, chars);
        if (StringLookup.TryGetValue(chars[..n], out var known))
        {
            return known;
        }

        var s = new string(chars[..n]);
        return StringPool.Count < MaxEntries ? StringPool.GetOrAdd(s, s) : s;
    }

    /// <summary>The shared instance of <paramref name="value"/> when it is short (a selectable field's value).</summary>
    public static string String(string value)
    {
        if (value.Length > MaxStringLength)
        {
            return value;
        }

        if (StringPool.TryGetValue(value, out var known))
        {
            return known;
        }

        return StringPool.Count < MaxEntries ? StringPool.GetOrAdd(value, value) : value;
    }

    /// <summary>The shared instance of a label set equal to <paramref name="labels"/> (which must not change afterwards).</summary>
    public static IReadOnlyDictionary<string, string> Labels(Dictionary<string, string> labels)
    {
        if (labels.Count == 0)
        {
            return NoLabels;
        }

        if (LabelPool.TryGetValue(labels, out var known))
        {
            return known;
        }

        return LabelPool.Count < MaxEntries ? LabelPool.GetOrAdd(labels, labels) : labels;
    }

    private sealed class LabelSetComparer : IEqualityComparer<Dictionary<string, string>>
    {
        public static readonly LabelSetComparer Instance = new();

        public bool Equals(Dictionary<string, string>? x, Dictionary<string, string>? y)
        {
            if (ReferenceEquals(x, y))
            {
                return true;
            }

            if (x is null || y is null || x.Count != y.Count)
            {
                return false;
            }

            foreach (var (k, v) in x)
            {
                if (!y.TryGetValue(k, out var other) || !string.Equals(v, other, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        public int GetHashCode(Dictionary<string, string> obj)
        {
            var hash = obj.Count;
            foreach (var (k, v) in obj)
            {
                hash ^= HashCode.Combine(StringComparer.Ordinal.GetHashCode(k), StringComparer.Ordinal.GetHashCode(v)); // order-independent
            }

            return hash;
        }
    }
}
