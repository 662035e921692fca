namespace Skiff.Robustness.Driver;

/// <summary>The shape of a run.</summary>
public sealed record RobustnessOptions
{
    /// <summary>How long the writers run.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The writers also keep running this long after the fault returned (so there is load after a restart).</summary>
    public TimeSpan AfterFault { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// After <see cref="AfterFault"/> the writers also run until they recorded this many operations since the fault
    /// returned: on a loaded machine a restarted server answers slowly, and the run must still exercise it.
    /// </summary>
    public int MinOperationsAfterFault { get; init; }

    /// <summary>Concurrent writer clients.</summary>
    public int Writers { get; init; } = 6;

    /// <summary>The key space: configmaps k0..k{Keys-1}; small, so writers collide.</summary>
    public int Keys { get; init; } = 6;

    /// <summary>The deadline of one request; past it the outcome is unknown.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long every watcher may take to see the run's last write once the writers stop.</summary>
    public TimeSpan CatchUpTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Seed of the writers' choices (the run is still concurrent, so not reproducible event for event).</summary>
    public int Seed { get; init; } = Environment.TickCount;

    /// <summary>Use HTTP/2 for every request and watch.</summary>
    public bool Http2 { get; init; }

    /// <summary>The linearizability search's step budget per key.</summary>
    public long StepBudget { get; init; } = Checking.LinearizabilityChecker.DefaultStepBudget;
}
