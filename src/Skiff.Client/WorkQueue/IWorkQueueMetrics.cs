namespace Skiff.Client.WorkQueue;

/// <summary>
/// Receives a work queue's measurements (client-go <c>metrics.go</c>): depth, adds, queue latency (time from add to
/// hand-out), work duration (time from hand-out to <c>Done</c>) and retries. May be called while the queue holds its lock:
/// implementations must be thread-safe, fast, and must not call back into the queue.
/// </summary>
public interface IWorkQueueMetrics
{
    /// <summary>The queue accepted a new item; <paramref name="depth"/> is the queue length afterwards.</summary>
    void Added(int depth);

    /// <summary>An item was handed out after waiting <paramref name="latency"/>; <paramref name="depth"/> is the length afterwards.</summary>
    void Taken(TimeSpan latency, int depth);

    /// <summary>Processing of an item finished after <paramref name="duration"/>.</summary>
    void Completed(TimeSpan duration);

    /// <summary>An item was re-added through the rate limiter.</summary>
    void Retried();
}
