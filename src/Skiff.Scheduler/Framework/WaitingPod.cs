using System.Globalization;
using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// A pod whose Permit plugins asked it to wait (upstream <c>waitingPod</c>): it holds its reservation on
/// <see cref="NodeName"/> while its binding cycle waits; it proceeds once every waiting plugin called
/// <see cref="Allow"/>, and fails as Unschedulable on the first <see cref="Reject"/> or when a plugin's timeout passes
/// (<c>rejected due to timeout after waiting 10s at plugin P</c>). Thread-safe.
/// </summary>
public sealed class WaitingPod : IDisposable
{
    /// <summary>Upstream's <c>maxTimeout</c> for a Permit wait.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(15);

    private readonly object _lock = new();
    private readonly HashSet<string> _pending = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<Status?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<ITimer> _timers = [];

    internal WaitingPod(V1Pod pod, string nodeName, IReadOnlyDictionary<string, TimeSpan> plugins, TimeProvider time)
    {
        Pod = pod;
        NodeName = nodeName;
        foreach (var (plugin, requested) in plugins)
        {
            _pending.Add(plugin);
            var timeout = requested > MaxTimeout ? MaxTimeout : requested;
            var message = string.Create(CultureInfo.InvariantCulture, $"rejected due to timeout after waiting {timeout.TotalSeconds}s at plugin {plugin}");
            _timers.Add(time.CreateTimer(_ => Reject(plugin, message), null, timeout, Timeout.InfiniteTimeSpan));
        }
    }

    public V1Pod Pod { get; }

    /// <summary>The node the pod is reserved on.</summary>
    public string NodeName { get; }

    /// <summary>The plugins that have not allowed the pod yet.</summary>
    public IReadOnlyCollection<string> PendingPlugins
    {
        get
        {
            lock (_lock)
            {
                return [.. _pending];
            }
        }
    }

    /// <summary>Completes with null once allowed, or with the rejection.</summary>
    internal Task<Status?> Completion => _done.Task;

    /// <summary>Plugin <paramref name="plugin"/> allows the pod; once every waiting plugin did, binding proceeds.</summary>
    public void Allow(string plugin)
    {
        lock (_lock)
        {
            _pending.Remove(plugin);
            if (_pending.Count > 0)
            {
                return;
            }
        }

        _done.TrySetResult(null);
    }

    /// <summary>Plugin <paramref name="plugin"/> rejects the pod: its binding cycle fails with <paramref name="message"/>.</summary>
    public void Reject(string plugin, string message)
    {
        var status = Status.Unschedulable(message);
        status.Plugin = plugin;
        _done.TrySetResult(status);
    }

    public void Dispose()
    {
        foreach (var t in _timers)
        {
            t.Dispose();
        }
    }
}
