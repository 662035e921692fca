namespace Skiff.Client.WorkQueue;

/// <summary>Metrics that go nowhere.</summary>
public sealed class NullWorkQueueMetrics : IWorkQueueMetrics
{
    public static NullWorkQueueMetrics Instance { get; } = new();

    public void Added(int depth)
    {
    }

    public void Taken(TimeSpan latency, int depth)
    {
    }

    public void Completed(TimeSpan duration)
    {
    }

    public void Retried()
    {
    }
}
