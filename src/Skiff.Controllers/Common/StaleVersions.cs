namespace Skiff.Controllers.Common;

/// <summary>
/// Per object key, the resourceVersions a controller replaced by its own status writes. A cached object still at one of
/// them is stale for sure (a version, once replaced, never comes back), so a sync on it could only end in a conflict
/// and a rate-limited retry; the controller skips it and syncs on the informer's event for the newer version. Only
/// the versions replaced since the cache last caught up are kept. Thread-safe.
/// </summary>
internal sealed class StaleVersions
{
    private readonly object _lock = new();
    private readonly Dictionary<string, HashSet<string>> _replaced = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether <paramref name="cachedVersion"/> is one this controller replaced; when it is not, the cache has caught up
    /// and the versions recorded so far are forgotten.
    /// </summary>
    public bool IsStale(string key, string? cachedVersion)
    {
        lock (_lock)
        {
            if (cachedVersion is not null && _replaced.TryGetValue(key, out var set) && set.Contains(cachedVersion))
            {
                return true;
            }

            _replaced.Remove(key);
            return false;
        }
    }

    /// <summary>A status write replaced <paramref name="version"/>.</summary>
    public void Replaced(string key, string? version)
    {
        if (version is null)
        {
            return;
        }

        lock (_lock)
        {
            if (!_replaced.TryGetValue(key, out var set))
            {
                _replaced[key] = set = new HashSet<string>(StringComparer.Ordinal);
            }

            set.Add(version);
        }
    }

    /// <summary>Forgets the object (it was deleted).</summary>
    public void Forget(string key)
    {
        lock (_lock)
        {
            _replaced.Remove(key);
        }
    }
}
