using System.Collections.Concurrent;

namespace Skiff.Kubelet.Pods;

/// <summary>
/// Per-key exponential backoff (upstream's <c>flowcontrol.Backoff</c> as the kubelet uses it): the first restart is
/// immediate, then each one waits <c>initial</c>, doubling up to <c>max</c>; an entry whose last restart is older than
/// <c>reset</c> starts over. Thread-safe.
/// </summary>
public sealed class CrashBackoff(TimeSpan initial, TimeSpan max, TimeSpan reset)
{
    private readonly ConcurrentDictionary<string, (TimeSpan Delay, DateTimeOffset Last)> _entries = new(StringComparer.Ordinal);

    /// <summary>When the next attempt for <paramref name="key"/> may run, after a failure at <paramref name="failedAt"/>; null: now.</summary>
    public DateTimeOffset? NotBefore(string key, DateTimeOffset failedAt, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(key, out var e))
        {
            return null;
        }

        if (now - e.Last > reset + e.Delay)
        {
            _entries.TryRemove(key, out _);
            return null;
        }

        var at = failedAt + e.Delay;
        return at > now ? at : null;
    }

    /// <summary>Records an attempt now: the next one waits longer.</summary>
    public void Next(string key, DateTimeOffset now) =>
        _entries.AddOrUpdate(key, _ => (initial, now), (_, e) => (now - e.Last > reset + e.Delay ? initial : TimeSpan.FromTicks(Math.Min(e.Delay.Ticks * 2, max.Ticks)), now));

    /// <summary>The current delay of <paramref name="key"/> (zero when none).</summary>
    public TimeSpan Delay(string key) => _entries.TryGetValue(key, out var e) ? e.Delay : TimeSpan.Zero;

    /// <summary>Forgets every key starting with <paramref name="prefix"/> (a pod that is gone).</summary>
    public void Forget(string prefix)
    {
        foreach (var k in _entries.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)))
        {
            _entries.TryRemove(k, out _);
        }
    }
}
