namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Seat borrowing between priority levels (upstream <c>apf_controller.go</c> <c>updateBorrowingLocked</c>, KEP-1040):
/// each level has a nominal limit (its share of the server's seats), a lower bound (nominal less what it may lend,
/// <c>lendablePercent</c>) and an upper bound (nominal plus what it may borrow, <c>borrowingLimitPercent</c>, unbounded
/// up to the server's limit when unset). Every <see cref="BorrowingPeriod"/> each level's seat demand of the period
/// (time-weighted average, standard deviation, high watermark) updates its smoothed demand
/// (<c>max(avg + stdDev, 0.977 × smoothed + 0.023 × (avg + stdDev))</c>, a 5-minute half-life), and the sum of the
/// nominal limits is divided among the levels in proportion to those demands within each level's bounds
/// (<see cref="ConcurrencyAllocation"/>), never below <c>min(nominal, high watermark)</c>: an idle level lends its
/// seats to a busy one.
/// </summary>
public sealed partial class FlowController
{
    /// <summary>How often the current limits are recomputed (upstream's <c>borrowingAdjustmentPeriod</c>).</summary>
    public static readonly TimeSpan BorrowingPeriod = TimeSpan.FromSeconds(10);

    /// <summary>Upstream's <c>seatDemandSmoothingCoefficient</c>.</summary>
    public const double SeatDemandSmoothing = 0.977;

    /// <summary>Upstream's <c>priorityLevelMaxSeatsPercent</c>.</summary>
    private const double MaxSeatsFraction = 0.15;

    /// <summary>Recomputes every level's current limit from the seat demand since the last call.</summary>
    public void UpdateBorrowing()
    {
        lock (_lock)
        {
            UpdateBorrowingLocked();
        }
    }

    /// <summary>
    /// Calls <see cref="UpdateBorrowing"/> every <see cref="FlowControlSettings.BorrowingPeriod"/> (default
    /// <see cref="BorrowingPeriod"/>) until <paramref name="lifetime"/> ends; returns at once when that period is zero.
    /// </summary>
    public async Task RunBorrowingAsync(CancellationToken lifetime)
    {
        if (_settings.BorrowingPeriod <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(_settings.BorrowingPeriod, _clock);
        try
        {
            while (await timer.WaitForNextTickAsync(lifetime).ConfigureAwait(false))
            {
                UpdateBorrowing();
            }
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            // Server stopping.
        }
    }

    /// <summary>Seats taken now in <paramref name="priorityLevel"/> (a Limited level's queue set; exempt: its demand).</summary>
    public int SeatsInUse(string priorityLevel) =>
        _snapshot.Levels.GetValueOrDefault(priorityLevel) is { } level ? level.Set?.SeatsInUse ?? (int)level.Demand.Value : 0;

    private void UpdateBorrowingLocked()
    {
        var levels = _levels.Values.ToList();
        var items = new List<ConcurrencyAllocation.Item>(levels.Count);
        foreach (var level in levels)
        {
            level.Stats.Update(level.Demand.Reset());
            var lower = Math.Max(level.MinCL, Math.Min(level.NominalCL, level.Stats.HighWatermark));
            items.Add(new ConcurrencyAllocation.Item(Math.Max(lower, level.Stats.Smoothed), lower, level.MaxCL));
        }

        var allocations = ConcurrencyAllocation.Compute(_nominalSum, items);
        for (var i = 0; i < levels.Count; i++)
        {
            var level = levels[i];
            level.CurrentCL = allocations is null ? level.CurrentCL : (int)Math.Round(allocations[i], MidpointRounding.AwayFromZero);
            level.Set?.SetConcurrencyLimit(Math.Max(level.CurrentCL, 0));
            _metrics.CurrentLimit(level.Name, level.CurrentCL);
        }
    }

    /// <summary>A level's smoothed seat demand (upstream's <c>seatDemandStats</c>).</summary>
    private sealed class DemandStats
    {
        public double Average { get; private set; }

        public double Deviation { get; private set; }

        public double HighWatermark { get; private set; }

        public double Smoothed { get; private set; }

        public void Update(SeatDemandIntegrator.Results period)
        {
            HighWatermark = period.Max;
            if (period.Duration <= TimeSpan.Zero)
            {
                return;
            }

            Average = period.Average;
            Deviation = double.IsNaN(period.Deviation) ? 0 : period.Deviation;
            var envelope = Average + Deviation;
            Smoothed = Math.Max(envelope, (SeatDemandSmoothing * Smoothed) + ((1 - SeatDemandSmoothing) * envelope));
        }
    }

    private sealed class Level(string name, bool exempt, SeatDemandIntegrator demand, QueueSet? set)
    {
        public string Name { get; } = name;

        public bool Exempt { get; } = exempt;

        public QueueSet? Set { get; } = set;

        public SeatDemandIntegrator Demand { get; } = demand;

        public DemandStats Stats { get; } = new();

        public string Uid { get; set; } = "";

        public int NominalCL { get; set; }

        public int MinCL { get; set; }

        public int MaxCL { get; set; }

        public int CurrentCL { get; set; }

        public int MaxSeats { get; set; }
    }
}
