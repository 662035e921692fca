using System.Diagnostics.Tracing;

namespace Skiff.Bench.ListWatch;

/// <summary>
/// The runtime's allocation samples (GCAllocationTick: one event per ~100 KB allocated, with the type that crossed the
/// mark) counted by type while it is enabled: which types a scenario allocates, without an external profiler.
/// Enabled for a fan-out case by <c>list-watch --alloc-types</c>.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private readonly Dictionary<string, long> _bytes = [];
    private readonly Lock _gate = new();
    private bool _on;

    public void Start()
    {
        lock (_gate)
        {
            _bytes.Clear();
            _on = true;
        }
    }

    /// <summary>Stops and returns the top <paramref name="n"/> types by sampled bytes with their share.</summary>
    public string Stop(int n)
    {
        lock (_gate)
        {
            _on = false;
            var total = Math.Max(1, _bytes.Values.Sum());
            return string.Join(Environment.NewLine, _bytes.OrderByDescending(p => p.Value).Take(n)
                .Select(p => $"    {p.Value * 100.0 / total,5:0.0}%  {p.Key}"));
        }
    }

    protected override void OnEventSourceCreated(EventSource source)
    {
        if (source.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(source, EventLevel.Verbose, (EventKeywords)0x1); // GC
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        if (e.EventName is not { } name || !name.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null)
        {
            return;
        }

        var type = e.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? e.Payload![t] as string ?? "?" : "?";
        var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload![a], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
        lock (_gate)
        {
            if (_on)
            {
                _bytes[type] = _bytes.GetValueOrDefault(type) + amount;
            }
        }
    }
}
