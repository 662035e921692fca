using Skiff.Kubelet.Prober;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Prober;

public sealed class ExecProbeTests
{
    private readonly HostProcessExec _exec = new();

    [Fact]
    public async Task RunAsync_ExitZero_IsSuccessWithOutput()
    {
        var outcome = await ExecProbe.RunAsync(_exec, "c1", ["sh", "-c", "echo ok"], TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.Equal(ProbeResult.Success, outcome.Result);
        Assert.Equal("ok\n", outcome.Output);
    }

    [Fact]
    public async Task RunAsync_NonZeroExit_IsFailureWithStdoutThenStderr()
    {
        var outcome = await ExecProbe.RunAsync(_exec, "c1", ["sh", "-c", "echo out; echo err >&2; exit 3"], TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.Equal("out\nerr\n", outcome.Output);
    }

    [Fact]
    public async Task RunAsync_OutputIsCappedAt10KiB()
    {
        var outcome = await ExecProbe.RunAsync(_exec, "c1", ["sh", "-c", "head -c 20000 /dev/zero | tr '\\0' x"], TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.Equal(10 * 1024, outcome.Output.Length);
    }

    [Fact]
    public async Task RunAsync_Timeout_IsFailureNamingTheCommand()
    {
        var outcome = await ExecProbe.RunAsync(_exec, "c1", ["sleep", "30"], TimeSpan.FromMilliseconds(300), CancellationToken.None);
        Assert.Equal(ProbeResult.Failure, outcome.Result);
        Assert.Equal("command \"sleep 30\" timed out", outcome.Output);
    }

    [Fact]
    public async Task RunAsync_ExecThatCannotRun_IsUnknownWithTheError()
    {
        var outcome = await ExecProbe.RunAsync(_exec, "c1", ["/nonexistent/binary"], TimeSpan.FromSeconds(5), CancellationToken.None);
        Assert.Equal(ProbeResult.Unknown, outcome.Result);
        Assert.NotNull(outcome.Error);
    }
}
