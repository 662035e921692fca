using System.Net;
using System.Net.Sockets;
using Skiff.Kubelet.Server;
using Xunit;

namespace Skiff.Kubelet.Tests.Server;

public sealed class KubeletHealthzServerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Healthz_AnswersOkInPlainHttp_WithThePingCheckOnly_AndGo404Elsewhere()
    {
        await using var server = new KubeletHealthzServer(IPAddress.Loopback, 0);
        server.Start();
        var port = await server.Bound.WaitAsync(Deadline);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using var ok = await http.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("ok", await ok.Content.ReadAsStringAsync());
        Assert.Equal("text/plain; charset=utf-8", ok.Content.Headers.ContentType!.ToString());
        Assert.Equal("nosniff", ok.Headers.GetValues("X-Content-Type-Options").Single());

        Assert.Equal("[+]ping ok\nhealthz check passed\n", await http.GetStringAsync("/healthz?verbose"));
        Assert.Equal("[+]ping excluded: ok\nhealthz check passed\n", await http.GetStringAsync("/healthz?verbose&exclude=ping"));
        Assert.Equal("ok", await http.GetStringAsync("/healthz/ping"));

        using var missing = await http.GetAsync("/pods");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("404 page not found\n", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ABusyPort_IsRetried_UntilItFrees()
    {
        var blocker = new TcpListener(IPAddress.Loopback, 0);
        blocker.Start();
        var port = ((IPEndPoint)blocker.LocalEndpoint).Port;
        await using var server = new KubeletHealthzServer(IPAddress.Loopback, port);
        try
        {
            server.Start();
            await server.FirstBindFailure.WaitAsync(Deadline);
            Assert.False(server.Bound.IsCompleted);
        }
        finally
        {
            blocker.Stop();
        }

        // Retried 5 s after the failure, as upstream's wait.Until: now it listens.
        Assert.Equal(port, await server.Bound.WaitAsync(Deadline));
        using var http = new HttpClient();
        Assert.Equal("ok", await http.GetStringAsync($"http://127.0.0.1:{port}/healthz"));
    }
}
