using Grpc.Health.V1;
using Skiff.Kubelet.Prober;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Prober;

public sealed class GrpcProbeTests(ProbeTargets targets) : IClassFixture<ProbeTargets>
{
    private readonly ProbeTargets _targets = targets;

    [Fact]
    public async Task RunAsync_Serving_IsSuccess()
    {
        var outcome = await GrpcProbe.RunAsync("127.0.0.1", _targets.GrpcPort, string.Empty, TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
        Assert.Equal(ProbeResult.Success, outcome.Result);
        Assert.Equal("service healthy", outcome.Output);
    }

    [Fact]
    public async Task RunAsync_NotServingService_IsFailureNamingTheStatus()
    {
        _targets.Health.SetStatus("db", HealthCheckResponse.Types.ServingStatus.NotServing);
        var outcome = await GrpcProbe.RunAsync("127.0.0.1", _targets.GrpcPort, "db", TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.Equal("service unhealthy (responded with \"NOT_SERVING\")", outcome.Output);
    }

    [Fact]
    public async Task RunAsync_UnknownService_IsFailureWithTheRpcError()
    {
        var outcome = await GrpcProbe.RunAsync("127.0.0.1", _targets.GrpcPort, "nope", TimeSpan.FromSeconds(10), TimeProvider.System, CancellationToken.None);
        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.StartsWith("error: health rpc probe failed: rpc error: code = NotFound desc = ", outcome.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ClosedPort_RetriesUntilTheTimeout_ThenFailsToConnectInTime()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();

        // Upstream dials with grpc.WithBlock(): a refused connection is retried until the probe's timeout.
        var outcome = await GrpcProbe.RunAsync("127.0.0.1", port, string.Empty, TimeSpan.FromSeconds(1), TimeProvider.System, CancellationToken.None);
        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.Equal($"timeout: failed to connect service \"127.0.0.1:{port}\" within 1s: context deadline exceeded", outcome.Output);
    }
}
