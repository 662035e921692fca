using k8s.Models;
using Skiff.Kubelet.Prober;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Prober;

public sealed class HttpGetProbeTests(ProbeTargets targets) : IClassFixture<ProbeTargets>, IDisposable
{
    private readonly HttpGetProbe _probe = new(TimeProvider.System);
    private readonly ProbeTargets _targets = targets;

    public void Dispose() => _probe.Dispose();

    [Fact]
    public async Task RunAsync_200_IsSuccessWithTheBody()
    {
        var outcome = await RunAsync("/ok");
        Assert.Equal(ProbeResult.Success, outcome.Result);
        Assert.Equal("fine", outcome.Output);
    }

    [Fact]
    public async Task RunAsync_500_IsFailureWithoutTheBody()
    {
        var outcome = await RunAsync("/fail");
        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.Equal("HTTP probe failed with statuscode: 500", outcome.Output);
    }

    [Fact]
    public async Task RunAsync_SameHostRedirect_IsFollowed()
    {
        var outcome = await RunAsync("/redirect");
        Assert.Equal(ProbeResult.Success, outcome.Result);
        Assert.Equal("fine", outcome.Output);
    }

    [Fact]
    public async Task RunAsync_RedirectToAnotherHost_IsAWarning()
    {
        var outcome = await RunAsync("/away");
        Assert.Equal(ProbeResult.Warning, outcome.Result);
        Assert.StartsWith("Probe terminated redirects, Response body: ", outcome.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_RedirectLoop_StopsAfter10()
    {
        var outcome = await RunAsync("/loop");
        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.Equal($"Get \"http://127.0.0.1:{_targets.HttpPort}/loop\": stopped after 10 redirects", outcome.Output);
    }

    [Fact]
    public async Task RunAsync_BodyIsReadUpTo10KiB()
    {
        var outcome = await RunAsync("/big");
        Assert.Equal(ProbeResult.Success, outcome.Result);
        Assert.Equal(10 * 1024, outcome.Output.Length);
    }

    [Fact]
    public async Task RunAsync_SendsKubeProbeUserAgent_AcceptAll_AndTheProbesHeaders()
    {
        var outcome = await RunAsync("/echo");
        Assert.Equal("ua=kube-probe/1.32;accept=*/*;host=127.0.0.1:" + _targets.HttpPort + ";x=", outcome.Output);

        var custom = await RunAsync("/echo", [new V1HTTPHeader { Name = "X-Test", Value = "yes" }, new V1HTTPHeader { Name = "Host", Value = "example.test" }, new V1HTTPHeader { Name = "Accept", Value = "" }]);
        Assert.Equal("ua=kube-probe/1.32;accept=;host=example.test;x=yes", custom.Output);

        var agent = await RunAsync("/echo", [new V1HTTPHeader { Name = "User-Agent", Value = "mine" }]);
        Assert.StartsWith("ua=mine;", agent.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_Https_SkipsCertificateVerification()
    {
        var outcome = await _probe.RunAsync(new Uri($"https://127.0.0.1:{_targets.HttpsPort}/ok"), null, TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.Equal(ProbeResult.Success, outcome.Result);
    }

    [Fact]
    public async Task RunAsync_Timeout_IsFailureWithGosClientTimeoutText()
    {
        var outcome = await _probe.RunAsync(new Uri($"http://127.0.0.1:{_targets.HttpPort}/slow"), null, TimeSpan.FromMilliseconds(300), CancellationToken.None);
        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.Equal($"Get \"http://127.0.0.1:{_targets.HttpPort}/slow\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)", outcome.Output);
    }

    [Fact]
    public async Task RunAsync_RefusedConnection_IsFailureWithGosDialText()
    {
        var port = FreePort();
        var outcome = await _probe.RunAsync(new Uri($"http://127.0.0.1:{port}/"), null, TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.Equal($"Get \"http://127.0.0.1:{port}/\": dial tcp 127.0.0.1:{port}: connect: connection refused", outcome.Output);
    }

    [Fact]
    public void TryBuildUri_ResolvesNamedPorts_DefaultsHostToPodIp_AndReportsUnknownNames()
    {
        var container = new V1Container { Name = "app", Ports = [new V1ContainerPort { Name = "http", ContainerPort = 8080 }] };
        Assert.True(HttpGetProbe.TryBuildUri(new V1HTTPGetAction { Port = "http", Path = "healthz" }, container, "10.1.2.3", out var uri, out _));
        Assert.Equal("http://10.1.2.3:8080/healthz", uri!.OriginalString);
        Assert.True(HttpGetProbe.TryBuildUri(new V1HTTPGetAction { Port = 443, Scheme = "HTTPS", Host = "example.test", Path = "/x?y=1" }, container, "10.1.2.3", out uri, out _));
        Assert.Equal("https://example.test:443/x?y=1", uri!.OriginalString);
        Assert.False(HttpGetProbe.TryBuildUri(new V1HTTPGetAction { Port = "metrics" }, container, "10.1.2.3", out _, out var error));
        Assert.Equal("strconv.Atoi: parsing \"metrics\": invalid syntax", error);
        Assert.False(HttpGetProbe.TryBuildUri(new V1HTTPGetAction { Port = 70000 }, container, "10.1.2.3", out _, out error));
        Assert.Equal("invalid port number: 70000", error);
    }

    private Task<ProbeOutcome> RunAsync(string path, IReadOnlyList<V1HTTPHeader>? headers = null) =>
        _probe.RunAsync(new Uri($"http://127.0.0.1:{_targets.HttpPort}{path}"), headers, TimeSpan.FromSeconds(10), CancellationToken.None);

    private static int FreePort()
    {
        var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        var port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}
