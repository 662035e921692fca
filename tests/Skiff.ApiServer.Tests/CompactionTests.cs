using System.Text.Json.Nodes;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests;

/// <summary>The host's periodic compactor on the memory store.</summary>
public sealed class CompactionTests
{
    private const string ConfigMaps = "/api/v1/namespaces/default/configmaps";

    [Fact]
    public async Task Compactor_ShortInterval_OldRevisionsGoneCurrentReadsWork()
    {
        await using var cp = await TestControlPlane.StartAsync(configure: o => o with { CompactionInterval = TimeSpan.FromMilliseconds(100) });
        var (_, created, _) = await cp.SendAsync(HttpMethod.Post, ConfigMaps,
            JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"compact-me"},"data":{"v":"1"}}"""));
        var oldRv = created!["metadata"]!["resourceVersion"]!.GetValue<string>();
        var (_, updated, _) = await cp.SendAsync(HttpMethod.Patch, $"{ConfigMaps}/compact-me",
            JsonNode.Parse("""{"data":{"v":"2"}}"""), "application/merge-patch+json");
        var newRv = long.Parse(updated!["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);

        // Wait (with a deadline) until the compactor has passed the update's revision.
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Assert.NotNull(cp.Host.Compactor);
        cp.Host.Compactor!.Compacted += rev =>
        {
            if (rev >= newRv)
            {
                reached.TrySetResult();
            }
        };
        if (await cp.Storage.GetCompactedRevisionAsync(default) < newRv)
        {
            await reached.Task.WaitAsync(TimeSpan.FromSeconds(20));
        }

        var (listStatus, listError, _) = await cp.SendAsync(HttpMethod.Get, $"{ConfigMaps}?resourceVersion={oldRv}&resourceVersionMatch=Exact");
        Assert.Equal(410, listStatus);
        Assert.Equal("Expired", listError!["reason"]!.GetValue<string>());

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using (var watch = await WatchStream.OpenAsync(cp.Client, $"{ConfigMaps}?watch=true&resourceVersion={oldRv}", cts.Token))
        {
            var ev = await watch.NextAsync(cts.Token);
            Assert.Equal("ERROR", ev["type"]!.GetValue<string>());
            Assert.Equal(410, ev["object"]!["code"]!.GetValue<int>());
        }

        var (getStatus, current, _) = await cp.SendAsync(HttpMethod.Get, $"{ConfigMaps}/compact-me");
        Assert.Equal(200, getStatus);
        Assert.Equal("2", current!["data"]!["v"]!.GetValue<string>());
        var (latestStatus, list, _) = await cp.SendAsync(HttpMethod.Get, ConfigMaps);
        Assert.Equal(200, latestStatus);
        Assert.Contains(list!["items"]!.AsArray(), i => i!["metadata"]!["name"]!.GetValue<string>() == "compact-me");
    }

    [Fact]
    public async Task Compactor_IntervalZero_Off()
    {
        await using var cp = await TestControlPlane.StartAsync(configure: o => o with { CompactionInterval = TimeSpan.Zero });
        Assert.Null(cp.Host.Compactor);
    }
}
