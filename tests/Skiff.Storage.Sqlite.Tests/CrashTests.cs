using System.Diagnostics;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace Skiff.Storage.Sqlite.Tests;

/// <summary>
/// Kills a real writer process (tests/Skiff.Storage.Sqlite.CrashWriter) with SIGKILL at random moments and checks
/// that every write it acknowledged is on disk after reopening, with its revision, and that revisions stay intact.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Sigkill_DuringConcurrentWrites_EveryAcknowledgedWriteSurvivesReopen()
    {
        var path = _dir.File("crash.db");
        var seed = Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var rng = new Random(seed);
        var acked = new Dictionary<string, long>(StringComparer.Ordinal);
        var counters = new Dictionary<string, long>(StringComparer.Ordinal);
        long maxAcked = 0;

        for (var round = 0; round < 4; round++)
        {
            var killAfter = rng.Next(20, 600);
            var lines = await RunAndKillAsync(path, round, killAfter);
            var ready = lines.FirstOrDefault(l => l.StartsWith("ready ", StringComparison.Ordinal));
            Assert.NotNull(ready);
            Assert.Equal(maxAcked, long.Parse(ready["ready ".Length..])); // the counter survived the previous crash exactly
            var roundAcks = 0;
            foreach (var parts in lines.Select(l => l.Split(' ')))
            {
                if (parts[0] == "ack")
                {
                    acked.Add(parts[1], long.Parse(parts[2]));
                    roundAcks++;
                }
                else if (parts[0] == "set")
                {
                    counters[parts[1]] = Math.Max(counters.GetValueOrDefault(parts[1]), long.Parse(parts[2]));
                }
            }

            output.WriteLine($"round {round}: killed after {roundAcks} acknowledged creates (target {killAfter})");
            Assert.True(roundAcks >= killAfter);

            await using var store = await SqliteStorage.OpenAsync(path, null, default);
            var current = await store.GetCurrentRevisionAsync(default);
            maxAcked = Math.Max(acked.Values.Max(), counters.Count == 0 ? 0 : counters.Values.Max());
            Assert.True(current >= maxAcked, $"current revision {current} below acknowledged {maxAcked}");
            foreach (var (key, rev) in acked)
            {
                var kv = await store.GetAsync(key, 0, default);
                Assert.True(kv is not null, $"acknowledged {key} (revision {rev}) lost");
                Assert.Equal(rev, kv.ModRevision);
                Assert.StartsWith(key + "=", Encoding.UTF8.GetString(kv.Value.Span));
            }

            foreach (var (key, rev) in counters)
            {
                var kv = await store.GetAsync(key, 0, default);
                Assert.True(kv is not null && kv.ModRevision >= rev, $"acknowledged update of {key} at {rev} lost");
            }

            var all = await store.ListAsync("/crash/", ListOptions.Latest, default);
            Assert.Equal(all.Items.Count, all.Items.Select(i => i.ModRevision).Distinct().Count());
            Assert.All(all.Items, i => Assert.InRange(i.ModRevision, 1, current));
            maxAcked = current; // unacknowledged but committed writes count too: the next open must report exactly this
        }
    }

    private async Task<List<string>> RunAndKillAsync(string path, int round, int killAfterAcks)
    {
        var writerDll = Path.Combine(AppContext.BaseDirectory, "Skiff.Storage.Sqlite.CrashWriter.dll");
        Assert.True(File.Exists(writerDll), $"missing {writerDll}");
        var psi = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(writerDll);
        psi.ArgumentList.Add(path);
        psi.ArgumentList.Add(round.ToString());
        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            var acks = 0;
            while (acks < killAfterAcks)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"writer exited early: {await stderr}");
                lines.Add(line);
                if (line.StartsWith("ack ", StringComparison.Ordinal))
                {
                    acks++;
                }
            }
        }
        finally
        {
            process.Kill(); // SIGKILL on Unix: no flush, no dispose, no checkpoint
            await process.WaitForExitAsync(CancellationToken.None);
        }

        // Lines already in the pipe were printed after their write was acknowledged: they count too. Each line is one
        // write(2) of less than PIPE_BUF bytes, so a kill never leaves half a line.
        while (await process.StandardOutput.ReadLineAsync(CancellationToken.None) is { } rest)
        {
            lines.Add(rest);
        }

        return lines;
    }

    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
