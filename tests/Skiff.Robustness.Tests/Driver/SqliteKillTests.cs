using Skiff.Robustness.Servers;
using Xunit;
using Xunit.Abstractions;

namespace Skiff.Robustness.Tests.Driver;

public sealed class SqliteKillTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Sqlite_KilledMidLoad_LosesNoAcknowledgedWrite_AndWatchesContinueExactly()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var server = await SkiffServer.StartSqliteAsync(cts.Token);
        await SkiffKillRun.RunWithKillAsync(server, output, cts.Token);
    }
}
