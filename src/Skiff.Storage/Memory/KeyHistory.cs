namespace Skiff.Storage.Memory;

/// <summary>The retained versions of one key, oldest first; a null <see cref="KeyVersion.Kv"/> is a delete.</summary>
internal sealed class KeyHistory
{
    public List<KeyVersion> Versions { get; } = new(2);

    public KeyValue? Latest => Versions.Count == 0 ? null : Versions[^1].Kv;

    /// <summary>The value as of <paramref name="revision"/>, or null when absent or deleted then.</summary>
    public KeyValue? At(long revision)
    {
        var i = IndexAt(revision);
        return i < 0 ? null : Versions[i].Kv;
    }

    /// <summary>Index of the last version with ModRevision ≤ revision, or -1.</summary>
    public int IndexAt(long revision)
    {
        var v = Versions;
        if (v.Count > 0 && v[^1].ModRevision <= revision)
        {
            return v.Count - 1;
        }

        int lo = 0, hi = v.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (v[mid].ModRevision <= revision)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>Drops versions no read at or after <paramref name="revision"/> can see. Returns true when nothing is left.</summary>
    public bool Compact(long revision)
    {
        var i = IndexAt(revision);
        if (i < 0)
        {
            return Versions.Count == 0;
        }

        if (Versions[i].Kv is null)
        {
            i++;
        }

        if (i > 0)
        {
            Versions.RemoveRange(0, i);
        }

        return Versions.Count == 0;
    }
}

/// <summary>One version of a key: its value (null for a delete) and the revision that wrote it.</summary>
internal readonly record struct KeyVersion(long ModRevision, KeyValue? Kv);
