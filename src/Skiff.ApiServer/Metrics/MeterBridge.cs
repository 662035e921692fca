using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Prometheus;

namespace Skiff.ApiServer.Metrics;

/// <summary>
/// Publishes System.Diagnostics.Metrics instruments into a prometheus-net registry under their own names, with their
/// tags as labels — so the client SDK's <c>workqueue_*</c>, <c>rest_client_requests_total</c> and
/// <c>leader_election_master_status</c> appear exactly as upstream names them (prometheus-net's own meter adapter
/// renames instruments). Counters become counters, up-down counters and observable gauges become gauges, histograms
/// become histograms with client-go's work queue buckets (1 ns to 1000 s, ×10). Observable instruments are read at
/// each scrape. Dispose to stop listening.
/// </summary>
public sealed class MeterBridge : IDisposable
{
    private static readonly double[] Buckets = Histogram.ExponentialBuckets(1e-9, 10, 12);

    private readonly MeterListener _listener = new();
    private readonly MetricFactory _factory;
    private readonly ConcurrentDictionary<Instrument, Func<string[], object>?> _collectors = new();
    private volatile bool _disposed;

    /// <summary>Starts publishing every instrument whose meter name starts with one of <paramref name="meterPrefixes"/>.</summary>
    public MeterBridge(CollectorRegistry registry, params string[] meterPrefixes)
    {
        _factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _factory.ExemplarBehavior = ApiServerMetrics.NoExemplars;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (meterPrefixes.Any(p => instrument.Meter.Name.StartsWith(p, StringComparison.Ordinal)))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
        registry.AddBeforeCollectCallback(() =>
        {
            if (!_disposed)
            {
                _listener.RecordObservableInstruments();
            }
        });
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _disposed = true;
        _listener.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var names = new string[tags.Length];
        var values = new string[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            names[i] = tags[i].Key;
            values[i] = tags[i].Value?.ToString() ?? "";
        }

        var create = _collectors.GetOrAdd(instrument, x => Create(x, names));
        try
        {
            switch (create?.Invoke(values))
            {
                case Counter.Child c:
                    c.Inc(value);
                    break;
                case Gauge.Child g when instrument.IsObservable:
                    g.Set(value);
                    break;
                case Gauge.Child g:
                    g.Inc(value);
                    break;
                case Histogram.Child h:
                    h.Observe(value);
                    break;
            }
        }
        catch (ArgumentException)
        {
            // A measurement with other tags than the instrument's first one: not representable; dropped.
        }
    }

    private Func<string[], object>? Create(Instrument instrument, string[] labels)
    {
        var help = instrument.Description ?? instrument.Name;
        var type = instrument.GetType();
        var generic = type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (generic == typeof(Counter<>) || generic == typeof(ObservableCounter<>))
        {
            var counter = _factory.CreateCounter(instrument.Name, help, labels);
            return v => counter.WithLabels(v);
        }

        if (generic == typeof(Histogram<>))
        {
            var histogram = _factory.CreateHistogram(instrument.Name, help, labels, new HistogramConfiguration { Buckets = Buckets });
            return v => histogram.WithLabels(v);
        }

        if (generic == typeof(UpDownCounter<>) || generic == typeof(ObservableGauge<>) || generic == typeof(ObservableUpDownCounter<>) || generic == typeof(Gauge<>))
        {
            var gauge = _factory.CreateGauge(instrument.Name, help, labels);
            return v => gauge.WithLabels(v);
        }

        return null;
    }
}
