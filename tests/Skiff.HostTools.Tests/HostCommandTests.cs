using System.ComponentModel;

namespace Skiff.HostTools.Tests;

/// <summary><see cref="HostCommand.RunAsync"/>: arguments, stdin, exit code and both outputs.</summary>
public sealed class HostCommandTests
{
    [SkippableFact]
    public async Task RunAsync_Input_ReachesStdinAndOutputsComeBack()
    {
        Skip.IfNot(File.Exists("/bin/sh"), "needs /bin/sh");

        var (code, output, error) = await HostCommand.RunAsync("/bin/sh", ["-c", "cat; echo \"$0\" >&2; exit 3", "arg zero"], "line 1\nline 2\n", default);

        Assert.Equal(3, code);
        Assert.Equal("line 1\nline 2\n", output);
        Assert.Equal("arg zero\n", error);
    }

    [SkippableFact]
    public async Task RunAsync_NoInput_ClosesStdin()
    {
        Skip.IfNot(File.Exists("/bin/cat"), "needs /bin/cat");

        var run = HostCommand.RunAsync("/bin/cat", [], null, default);

        Assert.Equal((0, "", ""), await run.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public async Task RunAsync_MissingBinary_ThrowsWin32Exception()
    {
        await Assert.ThrowsAsync<Win32Exception>(() => HostCommand.RunAsync("/nonexistent/skiff-host-command", [], "", default));
    }
}
