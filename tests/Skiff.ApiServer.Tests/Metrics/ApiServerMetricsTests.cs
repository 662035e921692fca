using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Metrics;

public sealed class ApiServerMetricsTests(ControlPlaneFixture f) : IClassFixture<ControlPlaneFixture>
{
    private static (string, string) L(string key, string value) => (key, value);

    [Fact]
    public async Task Metrics_AfterRequests_CountsThemWithUpstreamVerbsScopesAndCodes()
    {
        var ns = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(201, (await f.Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } })).Status);
        var cm = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "a" } };
        Assert.Equal(201, (await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", cm)).Status);
        Assert.Equal(200, (await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps")).Status);
        Assert.Equal(200, (await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/a")).Status);
        Assert.Equal(404, (await f.Cp.SendAsync(HttpMethod.Get, $"/api/v1/namespaces/{ns}/configmaps/missing")).Status);
        var apply = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "b" }, ["data"] = new JsonObject { ["k"] = "v" } };
        Assert.Equal(201, (await f.Cp.SendAsync(HttpMethod.Patch, $"/api/v1/namespaces/{ns}/configmaps/b?fieldManager=test", apply, "application/apply-patch+yaml")).Status);

        var m = await ScrapeAsync();

        Assert.Equal("counter", m.Types["apiserver_request_total"]);
        var common = new[] { L("group", ""), L("version", "v1"), L("resource", "configmaps"), L("subresource", ""), L("component", "apiserver") };
        Assert.True(m.Sum("apiserver_request_total", [.. common, L("verb", "POST"), L("scope", "resource"), L("code", "201")]) >= 1);
        Assert.True(m.Sum("apiserver_request_total", [.. common, L("verb", "LIST"), L("scope", "namespace"), L("code", "200")]) >= 1);
        Assert.True(m.Sum("apiserver_request_total", [.. common, L("verb", "GET"), L("scope", "resource"), L("code", "200")]) >= 1);
        Assert.True(m.Sum("apiserver_request_total", [.. common, L("verb", "GET"), L("scope", "resource"), L("code", "404")]) >= 1);
        Assert.True(m.Sum("apiserver_request_total", [.. common, L("verb", "APPLY"), L("scope", "resource"), L("code", "201")]) >= 1);

        Assert.Equal("histogram", m.Types["apiserver_request_duration_seconds"]);
        Assert.True(m.Sum("apiserver_request_duration_seconds_count", [.. common, L("verb", "LIST")]) >= 1);
        Assert.Single(m.Find("apiserver_request_duration_seconds_bucket", [.. common, L("verb", "LIST"), L("le", "+Inf")]));

        Assert.True(m.Sum("apiserver_storage_objects", L("resource", "configmaps")) >= 2);
        Assert.True(m.Sum("apiserver_storage_objects", L("resource", "namespaces")) >= 1);
        Assert.True(m.Sum("etcd_request_duration_seconds_count", L("operation", "create"), L("type", "configmaps")) >= 2);
        Assert.Single(m.Find("apiserver_current_inflight_requests", L("request_kind", "mutating")));
        Assert.True(m.Sum("process_cpu_seconds_total") > 0);
        Assert.Single(m.Find("process_start_time_seconds"));
    }

    [Fact]
    public async Task Metrics_WatchEventsAndWatchVerb_Counted()
    {
        var ns = "watchm-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(201, (await f.Cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces", new JsonObject { ["metadata"] = new JsonObject { ["name"] = ns } })).Status);
        var cm = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "w" } };
        Assert.Equal(201, (await f.Cp.SendAsync(HttpMethod.Post, $"/api/v1/namespaces/{ns}/configmaps", cm)).Status);
        var before = (await ScrapeAsync()).Sum("apiserver_watch_events_total", L("group", ""), L("version", "v1"), L("resource", "configmaps"));

        using (var watch = await f.Cp.Client.GetAsync($"/api/v1/namespaces/{ns}/configmaps?watch=true&resourceVersion=0", HttpCompletionOption.ResponseHeadersRead))
        {
            using var reader = new StreamReader(await watch.Content.ReadAsStreamAsync());
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var line = await reader.ReadLineAsync(cts.Token);
            Assert.Contains("\"ADDED\"", line);
        }

        var after = await WaitForAsync(m => m.Sum("apiserver_request_total", L("verb", "WATCH"), L("resource", "configmaps"), L("scope", "namespace")) >= 1);
        Assert.True(after.Sum("apiserver_watch_events_total", L("group", ""), L("version", "v1"), L("resource", "configmaps")) >= before + 1);
    }

    [Fact]
    public async Task Metrics_Anonymous_Returns403()
    {
        // Only system:monitoring (and cluster-admin) may read /metrics; anonymous users are system:anonymous.
        using var anon = f.Cp.CreateAnonymousClient();
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await anon.GetAsync("/metrics")).StatusCode);
    }

    private async Task<PrometheusText> ScrapeAsync()
    {
        using var resp = await f.Cp.Client.GetAsync("/metrics");
        Assert.Equal(System.Net.HttpStatusCode.OK, resp.StatusCode);
        Assert.StartsWith("text/plain", resp.Content.Headers.ContentType!.MediaType);
        return PrometheusText.Parse(await resp.Content.ReadAsStringAsync());
    }

    // The WATCH is counted when the server notices the client went away: poll the scrape (not a sleep) until it shows.
    private async Task<PrometheusText> WaitForAsync(Func<PrometheusText, bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var m = await ScrapeAsync();
            if (condition(m) || DateTime.UtcNow > deadline)
            {
                return m;
            }

            await Task.Delay(100); // poll interval of a condition with a deadline
        }
    }
}
