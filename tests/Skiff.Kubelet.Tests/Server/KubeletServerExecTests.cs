using System.Text;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Server;

/// <summary>
/// The real kubectl's <c>exec</c>, <c>cp</c> and <c>attach</c> (WebSocket v5) through the API server's upgrade proxy to
/// the kubelet server, which relays to a runtime streaming server. The runtime here is
/// <see cref="ProcessStreamingServer"/>: commands run as host processes (not in containers).
/// </summary>
public sealed class KubeletServerExecTests : IAsyncLifetime
{
    private StreamingHarness _h = null!;
    private ProcessStreamingServer _runtime = null!;

    public async Task InitializeAsync()
    {
        _h = await StreamingHarness.StartAsync();
        _runtime = await ProcessStreamingServer.StartAsync();
        _h.Runtime.StreamingBase = _runtime.BaseAddress;
        await _h.CreatePodAsync("ex", "app");
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        await _runtime.DisposeAsync();
    }

    [Fact]
    public async Task Exec_RunsTheCommand_AndReturnsItsOutput()
    {
        var (exit, output, err) = await _h.KubectlAsync(["exec", "ex", "--", "echo", "hello", "world"]);
        Assert.True(exit == 0, err);
        Assert.Equal("hello world\n", Encoding.UTF8.GetString(output));
    }

    [Fact]
    public async Task Exec_NonZeroExit_IsKubectlsExitCode_StderrSeparate()
    {
        var (exit, output, err) = await _h.KubectlAsync(["exec", "ex", "--", "sh", "-c", "echo out; echo err >&2; exit 3"]);
        Assert.Equal(3, exit);
        Assert.Equal("out\n", Encoding.UTF8.GetString(output));
        Assert.StartsWith("err\n", err, StringComparison.Ordinal);
        Assert.Contains("command terminated with exit code 3", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExecStdin_EndOfInput_ReachesTheCommand()
    {
        var input = new byte[200_000];
        new Random(7).NextBytes(input);
        var (exit, output, err) = await _h.KubectlAsync(["exec", "-i", "ex", "--", "sh", "-c", "wc -c; echo done >&2"], input);
        Assert.True(exit == 0, err);
        Assert.Equal("200000", Encoding.UTF8.GetString(output).Trim());
        Assert.Equal("done", err.Trim());
    }

    [Fact]
    public async Task Exec_OnAV4Runtime_Works()
    {
        _runtime.SupportsV5 = false;
        var (exit, output, err) = await _h.KubectlAsync(["exec", "ex", "--", "sh", "-c", "echo v4; exit 2"]);
        Assert.Equal(2, exit);
        Assert.Equal("v4\n", Encoding.UTF8.GetString(output));
        Assert.Contains("command terminated with exit code 2", err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cp_BothWays_GoesThroughExecAndTar()
    {
        var dir = Path.Combine(_h.Cp.DataDirectory, "cp");
        Directory.CreateDirectory(Path.Combine(dir, "in"));
        var local = Path.Combine(dir, "local.bin");
        var content = new byte[70_000];
        new Random(3).NextBytes(content);
        await File.WriteAllBytesAsync(local, content);

        // Local → "pod": kubectl runs `tar -xmf - -C DIR` through exec -i (the pod is the host here).
        var (exit, _, err) = await _h.KubectlAsync(["cp", local, $"default/ex:{dir}/in/copied.bin"]);
        Assert.True(exit == 0, err);
        Assert.Equal(content, await File.ReadAllBytesAsync(Path.Combine(dir, "in", "copied.bin")));

        // "Pod" → local: `tar cf - PATH` through exec.
        var back = Path.Combine(dir, "back.bin");
        (exit, _, err) = await _h.KubectlAsync(["cp", $"default/ex:{dir}/in/copied.bin", back]);
        Assert.True(exit == 0, err);
        Assert.Equal(content, await File.ReadAllBytesAsync(back));
    }

    [Fact(Skip = "The fake runtime (ProcessStreamingServer) never delivers attach output to kubectl; attach against a real containerd pod streams (StreamingRealNodeTests in Skiff.E2E.Tests). Fake not yet diagnosed")]
    public async Task Attach_StreamsTheContainersOutput()
    {
        using var kubectl = _h.StartKubectl(["attach", "ex"]);
        var stderr = kubectl.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var seen = new StringBuilder();
        try
        {
            var buffer = new char[256];
            while (!seen.ToString().Contains("tick 1\n", StringComparison.Ordinal))
            {
                var n = await kubectl.StandardOutput.ReadAsync(buffer, cts.Token).AsTask().WaitAsync(cts.Token);
                Assert.True(n > 0, $"kubectl attach ended: {seen} {await stderr}");
                seen.Append(buffer, 0, n);
            }

            Assert.StartsWith("tick 0\ntick 1\n", seen.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            kubectl.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task Exec_UnknownContainer_IsABadRequestFromTheApiServer()
    {
        var (exit, _, err) = await _h.KubectlAsync(["exec", "ex", "-c", "nope", "--", "true"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("container nope is not valid for pod ex", err, StringComparison.Ordinal);
    }
}
