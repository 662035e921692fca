namespace Skiff.Storage;

/// <summary>
/// Orders storage keys by Unicode code point, which is the same order as comparing their UTF-8 bytes (etcd's and
/// SQLite's BINARY order). Plain <see cref="StringComparer.Ordinal"/> differs for characters above U+FFFF versus
/// U+E000–U+FFFF because it compares UTF-16 code units; this comparer fixes that up.
/// </summary>
public sealed class StorageKeyComparer : IComparer<string>
{
    /// <summary>The single instance.</summary>
    public static StorageKeyComparer Instance { get; } = new();

    private StorageKeyComparer()
    {
    }

    /// <inheritdoc />
    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y))
        {
            return 0;
        }

        if (x is null)
        {
            return -1;
        }

        if (y is null)
        {
            return 1;
        }

        var n = Math.Min(x.Length, y.Length);
        var i = x.AsSpan(0, n).CommonPrefixLength(y.AsSpan(0, n));
        if (i == n)
        {
            return x.Length.CompareTo(y.Length);
        }

        return Fix(x[i]).CompareTo(Fix(y[i]));
    }

    // Maps UTF-16 code units so that surrogates (D800–DFFF, i.e. code points ≥ 10000) sort after E000–FFFF.
    private static int Fix(char c) => c >= 0xE000 ? c - 0x800 : c >= 0xD800 ? c + 0x2000 : c;
}
