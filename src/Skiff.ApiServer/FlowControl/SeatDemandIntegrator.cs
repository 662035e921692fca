namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Upstream's seat-demand <c>Integrator</c> (<c>fairqueuing/integrator.go</c>): integrates a level's seat demand
/// (seats executing plus seats waiting) over time; <see cref="Reset"/> returns the period's duration, time-weighted
/// average, standard deviation and maximum, and starts a new period at the current value. Thread-safe.
/// </summary>
public sealed class SeatDemandIntegrator(TimeProvider clock)
{
    private readonly Lock _lock = new();
    private long _start = clock.GetTimestamp();
    private long _last = clock.GetTimestamp();
    private double _value;
    private double _max;
    private double _integral;
    private double _squares;

    /// <summary>One period's statistics.</summary>
    public readonly record struct Results(TimeSpan Duration, double Average, double Deviation, double Max);

    /// <summary>The demand now.</summary>
    public double Value
    {
        get
        {
            lock (_lock)
            {
                return _value;
            }
        }
    }

    /// <summary>Sets the demand (from now on).</summary>
    public void Set(double value)
    {
        lock (_lock)
        {
            Advance();
            _value = value;
            _max = Math.Max(_max, value);
        }
    }

    /// <summary>Moves the demand by <paramref name="delta"/>.</summary>
    public void Add(double delta)
    {
        lock (_lock)
        {
            Advance();
            _value += delta;
            _max = Math.Max(_max, _value);
        }
    }

    /// <summary>Returns the statistics since the last reset and starts a new period.</summary>
    public Results Reset()
    {
        lock (_lock)
        {
            Advance();
            var duration = clock.GetElapsedTime(_start, _last);
            var seconds = duration.TotalSeconds;
            var results = seconds <= 0
                ? new Results(TimeSpan.Zero, double.NaN, double.NaN, _max)
                : Stats(duration, seconds);
            _start = _last;
            _integral = 0;
            _squares = 0;
            _max = _value;
            return results;
        }
    }

    private Results Stats(TimeSpan duration, double seconds)
    {
        var average = _integral / seconds;
        var variance = (_squares / seconds) - (average * average);
        return new Results(duration, average, Math.Sqrt(Math.Max(0, variance)), _max);
    }

    private void Advance()
    {
        var now = clock.GetTimestamp();
        var dt = clock.GetElapsedTime(_last, now).TotalSeconds;
        if (dt > 0)
        {
            _integral += _value * dt;
            _squares += _value * _value * dt;
        }

        _last = now;
    }
}
