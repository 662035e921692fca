namespace Skiff.Kubelet.Pods;

/// <summary>
/// Where one pod's first start spent its time, from the moment its worker saw the pod (the informer's add) to the
/// Running status written to the API server: each <see cref="Mark"/> charges the time since the previous mark to a step,
/// so the steps add up to the whole. Steps the start passes more than once (the container listing, or two containers'
/// create) accumulate. Not thread-safe: one pod worker owns it.
/// </summary>
public sealed class PodStartTrace
{
    private readonly TimeProvider _time;
    private readonly List<KeyValuePair<string, TimeSpan>> _steps = [];
    private long _last;

    /// <summary>Starts the trace now.</summary>
    public PodStartTrace(string pod, TimeProvider time)
    {
        Pod = pod;
        _time = time;
        SeenAt = _last = time.GetTimestamp();
    }

    /// <summary>The pod, <c>namespace/name</c>.</summary>
    public string Pod { get; }

    /// <summary>When the worker first saw the pod, as a <see cref="TimeProvider.GetTimestamp"/> value.</summary>
    public long SeenAt { get; }

    /// <summary>When the Running status was written, as a <see cref="TimeProvider.GetTimestamp"/> value (0 before).</summary>
    public long PublishedAt { get; private set; }

    /// <summary>The steps in the order they first occurred, with their accumulated time.</summary>
    public IReadOnlyList<KeyValuePair<string, TimeSpan>> Steps => _steps;

    /// <summary>From seen to published.</summary>
    public TimeSpan Total => PublishedAt == 0 ? TimeSpan.Zero : _time.GetElapsedTime(SeenAt, PublishedAt);

    /// <summary>Charges the time since the previous mark to <paramref name="step"/>.</summary>
    public void Mark(string step)
    {
        var now = _time.GetTimestamp();
        var took = _time.GetElapsedTime(_last, now);
        _last = now;
        var i = _steps.FindIndex(kv => kv.Key == step);
        if (i < 0)
        {
            _steps.Add(new(step, took));
        }
        else
        {
            _steps[i] = new(step, _steps[i].Value + took);
        }
    }

    /// <summary>Marks the status write as <paramref name="step"/> and closes the trace.</summary>
    public void Published(string step)
    {
        Mark(step);
        PublishedAt = _last;
    }
}
