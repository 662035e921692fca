using Xunit;
using System.Globalization;
using System.Text;
using Skiff.Kubelet.Logs;
using Skiff.Kubelet.Tests.Testing;

namespace Skiff.Kubelet.Tests.Server;

/// <summary>The real kubectl's <c>logs</c> variants through the API server's pods/log proxy to the kubelet server.</summary>
public sealed class KubeletServerLogsTests : IAsyncLifetime
{
    private StreamingHarness _h = null!;

    public async Task InitializeAsync() => _h = await StreamingHarness.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Logs_Tail_Timestamps_LimitBytes_AreByteExact()
    {
        var dir = await _h.CreatePodAsync("logs-1", "app");
        WriteLog(dir, "app", 0,
            "2024-01-02T03:04:05.123456789Z stdout F hello\n" +
            "2024-01-02T03:04:06.000000000Z stderr F to stderr\n" +
            "2024-01-02T03:04:07.500000000Z stdout P joined \n" +
            "2024-01-02T03:04:07.600000000Z stdout F line\n" +
            "2024-01-02T03:04:08.000000000Z stdout F ünïcode ✓\n");

        Assert.Equal("hello\nto stderr\njoined line\nünïcode ✓\n", await LogsAsync("logs", "logs-1"));
        Assert.Equal("joined line\nünïcode ✓\n", await LogsAsync("logs", "logs-1", "--tail=3"));
        Assert.Equal("2024-01-02T03:04:07.5Z joined line\n2024-01-02T03:04:08Z ünïcode ✓\n", await LogsAsync("logs", "logs-1", "--tail=3", "--timestamps"));
        Assert.Equal("hello\nto", await LogsAsync("logs", "logs-1", "--limit-bytes=8"));
        Assert.Equal("2024-01-02T03:04:05.123456789Z hello\n", await LogsAsync("logs", "logs-1", "--timestamps", "--limit-bytes=37"));
        Assert.Equal("ünïcode ✓\n", await LogsAsync("logs", "logs-1", "--since-time=2024-01-02T03:04:08Z"));
    }

    [Fact]
    public async Task Logs_Since_SkipsOlderLines()
    {
        var dir = await _h.CreatePodAsync("logs-since", "app");
        var old = DateTimeOffset.UtcNow.AddHours(-2);
        var recent = DateTimeOffset.UtcNow.AddSeconds(-5);
        WriteLog(dir, "app", 0, $"{Ts(old)} stdout F old\n{Ts(recent)} stdout F recent\n");

        Assert.Equal("recent\n", await LogsAsync("logs", "logs-since", "--since=1h"));
        Assert.Equal("old\nrecent\n", await LogsAsync("logs", "logs-since", "--since=3h"));
    }

    /// <summary>The kubelet's own query handling, reached through nodes/proxy as upstream's getContainerLogs sees it.</summary>
    [Fact]
    public async Task ContainerLogs_LegacyTail_SinceTime_AndRefusedOptionsGet422()
    {
        var dir = await _h.CreatePodAsync("logs-raw", "app");
        var old = DateTimeOffset.UtcNow.AddHours(-2);
        var recent = DateTimeOffset.UtcNow.AddSeconds(-5);
        WriteLog(dir, "app", 0, $"{Ts(old)} stdout F old\n{Ts(recent)} stdout F recent\n");
        var path = $"/api/v1/nodes/{StreamingHarness.NodeName}/proxy/containerLogs/default/logs-raw/app";

        Assert.Equal("recent\n", await LogsAsync("get", "--raw", path + "?tail=1"));
        Assert.Equal("old\nrecent\n", await LogsAsync("get", "--raw", path + "?tail=all"));

        var hourAgo = DateTimeOffset.UtcNow.AddHours(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        Assert.Equal("recent\n", await LogsAsync("get", "--raw", $"{path}?sinceTime={hourAgo}"));

        // What ValidatePodLogOptions refuses, the kubelet refuses too (both since forms at once among them).
        foreach (var query in new[] { "tailLines=-1", "limitBytes=0", "sinceSeconds=0", $"sinceSeconds=10800&sinceTime={hourAgo}" })
        {
            var (exit, _, err) = await _h.KubectlAsync(["get", "--raw", path + "?" + query]);
            Assert.NotEqual(0, exit);
            Assert.Contains("Invalid request.", err, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Logs_Previous_ReadsTheEarlierRestart_AndSaysSoWhenThereIsNone()
    {
        var dir = await _h.CreatePodAsync("logs-prev", "a", "b");
        WriteLog(dir, "a", 0, "2024-01-02T03:04:05Z stdout F first run\n");
        WriteLog(dir, "a", 1, "2024-01-02T03:05:05Z stdout F second run\n");
        WriteLog(dir, "b", 0, "2024-01-02T03:04:05Z stdout F only run\n");

        Assert.Equal("second run\n", await LogsAsync("logs", "logs-prev", "-c", "a"));
        Assert.Equal("first run\n", await LogsAsync("logs", "logs-prev", "-c", "a", "--previous"));
        var (exit, _, err) = await _h.KubectlAsync(["logs", "logs-prev", "-c", "b", "--previous"]);
        Assert.NotEqual(0, exit);
        Assert.Equal("Error from server (BadRequest): previous terminated container \"b\" in pod \"logs-prev\" not found", err.Trim());
        var (exit2, output, err2) = await _h.KubectlAsync(["logs", "logs-prev"]);
        Assert.Equal(0, exit2);
        Assert.Equal("second run\n", Encoding.UTF8.GetString(output));
        Assert.Contains("Defaulted container \"a\" out of: a, b", err2, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_Follow_StreamsNewLines_AndEndsWhenTheContainerRestarts()
    {
        var dir = await _h.CreatePodAsync("logs-follow", "app");
        var path = WriteLog(dir, "app", 0, "2024-01-02T03:04:05Z stdout F before\n");
        using var kubectl = _h.StartKubectl(["logs", "-f", "logs-follow"]);
        var stderr = kubectl.StandardError.ReadToEndAsync();
        var output = new StringBuilder();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await ReadUntilAsync(kubectl, output, "before\n", cts.Token);
            await File.AppendAllTextAsync(path, "2024-01-02T03:04:06Z stdout F after\n", cts.Token);
            await ReadUntilAsync(kubectl, output, "before\nafter\n", cts.Token);

            // A restart (a new container id and log file) ends the follow once the old file is drained.
            await File.AppendAllTextAsync(path, "2024-01-02T03:04:07Z stdout F last words\n", cts.Token);
            WriteLog(dir, "app", 1, "2024-01-02T03:04:08Z stdout F next run\n");
            var pod = _h.Runtime.Find("default", "logs-follow")!;
            _h.Runtime.Set("default", "logs-follow", pod with { Containers = new Dictionary<string, string?> { ["app"] = "cid-restarted" } });
            await kubectl.WaitForExitAsync(cts.Token);
            output.Append(await kubectl.StandardOutput.ReadToEndAsync(cts.Token));
            Assert.Equal(0, kubectl.ExitCode);
            Assert.Equal("before\nafter\nlast words\n", output.ToString());
        }
        catch (OperationCanceledException)
        {
            kubectl.Kill(entireProcessTree: true);
            Assert.Fail($"kubectl logs -f: {output}\n{await stderr}");
        }
        finally
        {
            if (!kubectl.HasExited)
            {
                kubectl.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task Kubelet_RejectsCallersWithoutAClusterCertificate()
    {
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, _, _, _) => true };
        using var http = new HttpClient(handler);
        var logs = await http.GetAsync(new Uri($"https://127.0.0.1:{_h.Kubelet.Port}/containerLogs/default/x/y"));
        Assert.Equal(401, (int)logs.StatusCode);
        Assert.Equal("Unauthorized", await logs.Content.ReadAsStringAsync());
        var health = await http.GetAsync(new Uri($"https://127.0.0.1:{_h.Kubelet.Port}/healthz"));
        Assert.Equal(401, (int)health.StatusCode); // as upstream with anonymous auth off: every path needs a user
    }

    private async Task<string> LogsAsync(params string[] args)
    {
        var (exit, output, err) = await _h.KubectlAsync(args);
        Assert.True(exit == 0, $"kubectl {string.Join(' ', args)} exited {exit}: {err}");
        return Encoding.UTF8.GetString(output);
    }

    private static async Task ReadUntilAsync(System.Diagnostics.Process p, StringBuilder output, string expected, CancellationToken ct)
    {
        var buffer = new char[256];
        while (!output.ToString().Equals(expected, StringComparison.Ordinal))
        {
            Assert.True(expected.StartsWith(output.ToString(), StringComparison.Ordinal), $"unexpected output {output}");
            var n = await p.StandardOutput.ReadAsync(buffer, ct).AsTask().WaitAsync(ct);
            Assert.True(n > 0, $"kubectl ended early: {output}");
            output.Append(buffer, 0, n);
        }
    }

    private static string Ts(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture);

    private static string WriteLog(string podDir, string container, int restart, string content)
    {
        var path = Path.Combine(podDir, PodLogPaths.ContainerLogRelative(container, restart));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }
}
