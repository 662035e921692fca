using Skiff.Robustness.Driver;
using Skiff.Robustness.Servers;
using Xunit;
using Xunit.Abstractions;

namespace Skiff.Robustness.Tests.Driver;

/// <summary>
/// The short CI run: the real <c>skiff apiserver</c> under concurrent writers and watchers, killed with SIGKILL
/// mid-load and restarted on the same data; every check of the robustness checker must pass. One test class per
/// storage so that xunit runs them side by side.
/// </summary>
internal static class SkiffKillRun
{
    private static readonly RobustnessOptions Short = new() { Duration = TimeSpan.FromSeconds(6), AfterFault = TimeSpan.FromSeconds(3), MinOperationsAfterFault = 100, Writers = 6, Keys = 6 };

    /// <summary>Runs the short workload, SIGKILLs the server 2 s in, restarts it, and asserts that every check passed.</summary>
    public static async Task RunWithKillAsync(SkiffServer server, ITestOutputHelper output, CancellationToken ct)
    {
        using var connection = ApiConnection.FromKubeconfig(server.Kubeconfig);
        var killed = 0;
        long restartedAt = long.MaxValue;
        var report = await RobustnessRun.RunAsync(connection, Short, async fault =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2), fault);
            await server.KillAsync();
            killed++;
            await server.RestartAsync(fault);
            restartedAt = History.HistoryRecorder.Now();
        }, ct);
        output.WriteLine(report.ToString());
        output.WriteLine(report.FailingKeyHistories());
        Assert.Equal(1, killed);
        Assert.True(report.Passed, report + "\nserver log:\n" + SkiffServer.Tail(server.Log));
        // The run did exercise what it claims to: writes on both sides of the kill, resumed watches, conflicts.
        Assert.Contains(report.History, o => o.Outcome == History.Outcome.Conflict);
        Assert.Contains(report.History, o => o.Outcome == History.Outcome.Ok && o.IsPut && o.CallTicks > restartedAt);
        // After the kill a watcher either resumes from its last revision or, given 410 as upstream's cacher answers
        // a revision older than its rebuilt window, relists; the log is then complete only up to that gap.
        Assert.All(report.Streams.Where(s => s.Name.StartsWith("all", StringComparison.Ordinal)), s => Assert.True(s.Resumes + s.Relists > 0, s.Name + " never reconnected"));
    }
}
