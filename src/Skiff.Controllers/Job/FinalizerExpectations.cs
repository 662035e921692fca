namespace Skiff.Controllers.Job;

/// <summary>
/// Upstream's <c>uidTrackingExpectations</c>: per Job key, the uids of pods whose tracking finalizer the controller
/// removed and has not yet seen removed in its informer; such pods are not counted again. Thread-safe.
/// </summary>
internal sealed class FinalizerExpectations
{
    private readonly object _lock = new();
    private readonly Dictionary<string, HashSet<string>> _expected = new(StringComparer.Ordinal);

    /// <summary>A copy of the uids still expected for <paramref name="jobKey"/>.</summary>
    public HashSet<string> ExpectedUids(string jobKey)
    {
        lock (_lock)
        {
            return _expected.TryGetValue(jobKey, out var set) ? new HashSet<string>(set, StringComparer.Ordinal) : new HashSet<string>(StringComparer.Ordinal);
        }
    }

    public void ExpectRemoved(string jobKey, IEnumerable<string> uids)
    {
        lock (_lock)
        {
            if (!_expected.TryGetValue(jobKey, out var set))
            {
                _expected[jobKey] = set = new HashSet<string>(StringComparer.Ordinal);
            }

            set.UnionWith(uids);
        }
    }

    public void RemovalObserved(string jobKey, string uid)
    {
        lock (_lock)
        {
            if (_expected.TryGetValue(jobKey, out var set))
            {
                set.Remove(uid);
            }
        }
    }

    public void Delete(string jobKey)
    {
        lock (_lock)
        {
            _expected.Remove(jobKey);
        }
    }
}
