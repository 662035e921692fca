using Skiff.Kubelet.Hollow;
using Xunit;

namespace Skiff.Kubelet.Tests.Hollow;

public sealed class HollowBehaviourTests
{
    [Fact]
    public void NoAnnotations_IsTheSharedDefault()
    {
        Assert.Same(HollowBehaviour.Default, HollowBehaviour.Parse(null));
        Assert.Same(HollowBehaviour.Default, HollowBehaviour.Parse(new Dictionary<string, string> { ["other"] = "x" }));
    }

    [Fact]
    public void ReadsEveryAnnotation()
    {
        var b = HollowBehaviour.Parse(new Dictionary<string, string>
        {
            ["hollow.skiff.dev/start-delay"] = "2s",
            ["hollow.skiff.dev/exit-after"] = "3s",
            ["hollow.skiff.dev/exit-code"] = "7",
            ["hollow.skiff.dev/never-ready"] = "true",
            ["hollow.skiff.dev/flip-readiness"] = "1s",
            ["hollow.skiff.dev/shutdown-delay"] = "4s",
        });
        Assert.Equal(TimeSpan.FromSeconds(2), b.StartDelay);
        Assert.Equal(TimeSpan.FromSeconds(3), b.ExitAfter);
        Assert.Equal(7, b.ExitCode);
        Assert.True(b.NeverReady);
        Assert.Equal(TimeSpan.FromSeconds(1), b.FlipReadiness);
        Assert.Equal(TimeSpan.FromSeconds(4), b.ShutdownDelay);
    }

    [Fact]
    public void CrashLoop_DefaultsToImmediateExitWithCode1()
    {
        var b = HollowBehaviour.Parse(new Dictionary<string, string> { ["hollow.skiff.dev/crash-loop"] = "true" });
        Assert.Equal(TimeSpan.Zero, b.ExitAfter);
        Assert.Equal(1, b.ExitCode);
    }

    [Fact]
    public void BadValues_AreIgnored()
    {
        var b = HollowBehaviour.Parse(new Dictionary<string, string> { ["hollow.skiff.dev/exit-after"] = "soon", ["hollow.skiff.dev/exit-code"] = "x" });
        Assert.Null(b.ExitAfter);
        Assert.Equal(0, b.ExitCode);
    }
}
