using System.Diagnostics;
using System.Diagnostics.Metrics;
using Prometheus;
using Skiff.ApiServer.Metrics;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Metrics;

public sealed class MeterBridgeTests
{
    [Fact]
    public async Task Bridge_EveryInstrumentKind_PublishedUnderItsOwnNameWithTagsAsLabels()
    {
        var meterName = "Skiff.Client.BridgeTest." + Guid.NewGuid().ToString("N");
        using var meter = new Meter(meterName);
        var registry = Prometheus.Metrics.NewCustomRegistry();
        using var bridge = new MeterBridge(registry, meterName);
        var counter = meter.CreateCounter<long>("test_requests_total", description: "requests");
        var depth = meter.CreateUpDownCounter<int>("test_depth");
        var latency = meter.CreateHistogram<double>("test_duration_seconds", "s");
        var observed = 0.0;
        meter.CreateObservableGauge("test_unfinished_seconds", () => new Measurement<double>(observed, new KeyValuePair<string, object?>("name", "q")));

        counter.Add(2, new TagList { { "code", "200" }, { "method", "GET" } });
        counter.Add(1, new TagList { { "code", "404" }, { "method", "GET" } });
        depth.Add(3, new TagList { { "name", "q" } });
        depth.Add(-1, new TagList { { "name", "q" } });
        latency.Record(0.002, new TagList { { "name", "q" } });
        observed = 7.5;

        var m = await ExportAsync(registry);

        Assert.Equal("counter", m.Types["test_requests_total"]);
        Assert.Equal(2, m.Sum("test_requests_total", ("code", "200"), ("method", "GET")));
        Assert.Equal(1, m.Sum("test_requests_total", ("code", "404")));
        Assert.Equal("gauge", m.Types["test_depth"]);
        Assert.Equal(2, m.Sum("test_depth", ("name", "q")));
        Assert.Equal("histogram", m.Types["test_duration_seconds"]);
        Assert.Equal(1, m.Sum("test_duration_seconds_count", ("name", "q")));
        Assert.Equal(1, m.Sum("test_duration_seconds_bucket", ("name", "q"), ("le", "0.01")));
        Assert.Equal(0, m.Sum("test_duration_seconds_bucket", ("name", "q"), ("le", "0.001")));
        Assert.Equal(7.5, m.Sum("test_unfinished_seconds", ("name", "q")));
    }

    [Fact]
    public async Task Bridge_OtherMeters_NotPublished()
    {
        using var meter = new Meter("Other.Meter." + Guid.NewGuid().ToString("N"));
        var registry = Prometheus.Metrics.NewCustomRegistry();
        using var bridge = new MeterBridge(registry, "Skiff.Client.Nothing." + Guid.NewGuid().ToString("N"));
        meter.CreateCounter<long>("other_total").Add(1);
        Assert.Empty((await ExportAsync(registry)).Find("other_total"));
    }

    private static async Task<PrometheusText> ExportAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return PrometheusText.Parse(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
