using Skiff.ApiServer.Http;

namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Upstream's <c>watchTracker</c> (<c>util/flowcontrol/watch_tracker.go</c>): how many watches are open per resource,
/// per resource and namespace, and per object, so that a write's estimate can count the watches its event fans out to.
/// Thread-safe.
/// </summary>
public sealed class WatchTracker
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Group, string Resource, string Namespace, string Name), int> _counts = [];

    /// <summary>Counts an open watch; dispose the result when it ends.</summary>
    public IDisposable Register(RequestInfo watch)
    {
        var key = (watch.Group, watch.Resource, watch.Namespace, watch.Name);
        lock (_lock)
        {
            _counts[key] = _counts.GetValueOrDefault(key) + 1;
        }

        return new Registration(this, key);
    }

    /// <summary>
    /// The watches a write to <paramref name="request"/>'s object would notify: those on the whole resource, on its
    /// namespace, and on the object itself. Zero for read-only verbs.
    /// </summary>
    public int InterestedWatchCount(RequestInfo request)
    {
        if (request.Verb is "get" or "list" or "watch")
        {
            return 0;
        }

        lock (_lock)
        {
            var n = _counts.GetValueOrDefault((request.Group, request.Resource, "", ""));
            if (request.Namespace.Length > 0)
            {
                n += _counts.GetValueOrDefault((request.Group, request.Resource, request.Namespace, ""));
            }

            if (request.Name.Length > 0)
            {
                n += _counts.GetValueOrDefault((request.Group, request.Resource, request.Namespace, request.Name));
            }

            return n;
        }
    }

    private void Forget((string, string, string, string) key)
    {
        lock (_lock)
        {
            if (_counts.TryGetValue(key, out var n) && n > 1)
            {
                _counts[key] = n - 1;
            }
            else
            {
                _counts.Remove(key);
            }
        }
    }

    private sealed class Registration(WatchTracker owner, (string, string, string, string) key) : IDisposable
    {
        private int _done;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 0)
            {
                owner.Forget(key);
            }
        }
    }
}
