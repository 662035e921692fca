using Skiff.Robustness.Servers;
using Xunit;
using Xunit.Abstractions;

namespace Skiff.Robustness.Tests.Driver;

public sealed class EtcdKillTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Etcd_KilledMidLoad_LosesNoAcknowledgedWrite_AndWatchesContinueExactly()
    {
        Skip.If(EtcdServer.FindBinary() is null, "etcd is not installed (hack/test.sh installs etcd-server)");
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var etcd = await EtcdServer.StartAsync(cts.Token);
        await using var server = await SkiffServer.StartEtcdAsync(etcd.ClientUrl, cts.Token);
        await SkiffKillRun.RunWithKillAsync(server, output, cts.Token);
    }
}
