using System.Collections.Concurrent;

namespace Skiff.Scheduler.Framework;

/// <summary>The pods of one profile waiting on Permit, by UID (upstream <c>waitingPodsMap</c>; plugins reach it through their profile).</summary>
public sealed class WaitingPods
{
    private readonly ConcurrentDictionary<string, WaitingPod> _pods = new(StringComparer.Ordinal);

    /// <summary>The waiting pod with <paramref name="uid"/>, or null.</summary>
    public WaitingPod? Get(string uid) => _pods.GetValueOrDefault(uid);

    /// <summary>A snapshot of every waiting pod.</summary>
    public IReadOnlyList<WaitingPod> All => [.. _pods.Values];

    /// <summary>Raised (on the scheduling loop) after a pod starts waiting.</summary>
    public event Action<WaitingPod>? Added;

    internal void Add(WaitingPod pod)
    {
        _pods[pod.Pod.Metadata.Uid] = pod;
        Added?.Invoke(pod);
    }

    internal void Remove(string uid)
    {
        if (_pods.TryRemove(uid, out var p))
        {
            p.Dispose();
        }
    }
}
