namespace Skiff.Controllers.Common;

/// <summary>
/// Upstream's <c>UIDTrackingControllerExpectations</c>: per controller key, how many creations and deletions it has
/// asked for and not yet seen in its informer, so a sync does not act again on a cache that lags its own writes.
/// Deletions are tracked by pod key, so a pod deleted by someone else is not counted twice. Expectations older than
/// <see cref="Timeout"/> count as satisfied (a lost watch event must not wedge a controller). Their age is wall time, as
/// upstream's <c>clock.RealClock</c> in <c>isExpired</c>, never the manager's <see cref="TimeProvider"/>: that clock
/// schedules deadlines and activations and may be a test's fake clock, and a jump of it past the timeout would let a
/// sync act on a cache that has not seen its own creations yet (a Job past its deadline declared Failed with a pod
/// that was never counted). Thread-safe.
/// </summary>
internal sealed class ControllerExpectations
{
    /// <summary>Upstream's <c>ExpectationsTimeout</c>.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private readonly object _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <param name="wallClock">The clock expectations age on; the system clock unless a unit test drives it.</param>
    public ControllerExpectations(TimeProvider? wallClock = null)
    {
        _time = wallClock ?? TimeProvider.System;
    }

    /// <summary>
    /// Whether the controller may act: no expectations recorded, all observed, or recorded more than
    /// <see cref="Timeout"/> ago.
    /// </summary>
    public bool Satisfied(string key)
    {
        lock (_lock)
        {
            return !_entries.TryGetValue(key, out var e) || (e.Adds <= 0 && e.Deletes <= 0) || _time.GetUtcNow() - e.Set > Timeout;
        }
    }

    /// <summary>Expects <paramref name="adds"/> creations (replacing what was recorded).</summary>
    public void ExpectCreations(string key, int adds)
    {
        lock (_lock)
        {
            _entries[key] = new Entry(adds, 0, _time.GetUtcNow(), new HashSet<string>(StringComparer.Ordinal));
        }
    }

    /// <summary>Expects the deletion of the pods <paramref name="podKeys"/> (replacing what was recorded).</summary>
    public void ExpectDeletions(string key, IReadOnlyCollection<string> podKeys)
    {
        lock (_lock)
        {
            _entries[key] = new Entry(0, podKeys.Count, _time.GetUtcNow(), new HashSet<string>(podKeys, StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Expects <paramref name="adds"/> creations and the deletion of <paramref name="podKeys"/> together (upstream's
    /// <c>SetExpectations</c>, as the DaemonSet controller sets them; replacing what was recorded).
    /// </summary>
    public void Expect(string key, int adds, IReadOnlyCollection<string> podKeys)
    {
        lock (_lock)
        {
            _entries[key] = new Entry(adds, podKeys.Count, _time.GetUtcNow(), new HashSet<string>(podKeys, StringComparer.Ordinal));
        }
    }

    /// <summary>One expected creation happened (or will not).</summary>
    public void CreationObserved(string key)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var e))
            {
                _entries[key] = e with { Adds = e.Adds - 1 };
            }
        }
    }

    /// <summary>The pod <paramref name="podKey"/> is gone (or will not be): counts once, and only if it was expected.</summary>
    public void DeletionObserved(string key, string podKey)
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var e) && e.PendingDeletes.Remove(podKey))
            {
                _entries[key] = e with { Deletes = e.Deletes - 1 };
            }
        }
    }

    /// <summary>Forgets the controller (it was deleted).</summary>
    public void Delete(string key)
    {
        lock (_lock)
        {
            _entries.Remove(key);
        }
    }

    /// <summary>The outstanding (creations, deletions), for tests; null when none are recorded.</summary>
    public (int Adds, int Deletes)? Get(string key)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(key, out var e) ? (e.Adds, e.Deletes) : null;
        }
    }

    private sealed record Entry(int Adds, int Deletes, DateTimeOffset Set, HashSet<string> PendingDeletes);
}
