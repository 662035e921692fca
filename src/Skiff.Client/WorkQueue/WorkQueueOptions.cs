namespace Skiff.Client.WorkQueue;

/// <summary>Configuration shared by every work queue.</summary>
public sealed record WorkQueueOptions
{
    /// <summary>The queue's name, used as the <c>name</c> tag of its metrics; empty disables metrics by default.</summary>
    public string Name { get; init; } = "";

    /// <summary>The clock for delays and metrics (client-go's <c>Clock</c>).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Where metrics go. When null, a named queue reports to <see cref="MeterWorkQueueMetrics"/> and an unnamed one
    /// reports nowhere.
    /// </summary>
    public IWorkQueueMetrics? Metrics { get; init; }
}
