using k8s.Models;
using Skiff.Kubelet.Hollow;
using Skiff.Kubelet.Status;
using Xunit;

namespace Skiff.Kubelet.Tests.Hollow;

public sealed class HollowTimelineTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly HollowTimeline Timeline = new(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(40));

    private static V1Pod Pod(string policy = "Always", bool init = false) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Uid = "u1" },
        Spec = new V1PodSpec
        {
            RestartPolicy = policy,
            Containers = [new V1Container { Name = "c", Image = "busybox" }],
            InitContainers = init ? [new V1Container { Name = "init", Image = "busybox" }] : null,
        },
    };

    private static (V1ContainerStatus C, DateTimeOffset? Next, string Phase) At(V1Pod pod, HollowBehaviour b, double seconds)
    {
        var (init, app, next) = Timeline.At(pod, b, T0, T0.AddSeconds(seconds));
        var phase = PodStatusBuilder.Phase(pod.Spec, init, app);
        return (app[0], next, phase);
    }

    [Fact]
    public void Default_RunsAndIsReadyAtOnce_NoFurtherChange()
    {
        var (c, next, phase) = At(Pod(), HollowBehaviour.Default, 0);
        Assert.Equal(T0.UtcDateTime, c.State.Running.StartedAt);
        Assert.True(c.Ready);
        Assert.True(c.Started);
        Assert.Null(next);
        Assert.Equal("Running", phase);
    }

    [Fact]
    public void StartDelay_WaitsInContainerCreating_ThenRuns()
    {
        var b = new HollowBehaviour { StartDelay = TimeSpan.FromSeconds(2) };
        var (c, next, phase) = At(Pod(init: true), b, 1);
        Assert.Equal("ContainerCreating", c.State.Waiting.Reason);
        Assert.Equal(T0.AddSeconds(2), next);
        Assert.Equal("Pending", phase);
        var (running, _, later) = At(Pod(init: true), b, 2);
        Assert.Equal(T0.AddSeconds(2).UtcDateTime, running.State.Running.StartedAt);
        Assert.Equal("Running", later);
    }

    [Theory]
    [InlineData("Never", 0, "Succeeded", "Completed")]
    [InlineData("Never", 3, "Failed", "Error")]
    [InlineData("OnFailure", 0, "Succeeded", "Completed")]
    public void ExitAfter_WithoutRestart_EndsTerminated(string policy, int code, string phase, string reason)
    {
        var b = new HollowBehaviour { ExitAfter = TimeSpan.FromSeconds(3), ExitCode = code };
        var (before, next, _) = At(Pod(policy), b, 2.9);
        Assert.NotNull(before.State.Running);
        Assert.Equal(T0.AddSeconds(3), next);
        var (c, none, p) = At(Pod(policy), b, 3);
        Assert.Equal(code, c.State.Terminated.ExitCode);
        Assert.Equal(reason, c.State.Terminated.Reason);
        Assert.Equal(T0.AddSeconds(3).UtcDateTime, c.State.Terminated.FinishedAt);
        Assert.False(c.Ready);
        Assert.Equal(0, c.RestartCount);
        Assert.Null(none);
        Assert.Equal(phase, p);
    }

    [Fact]
    public void CrashLoop_BacksOffDoubling_RestartCountGrows_LastStateKept()
    {
        var b = HollowBehaviour.Parse(new Dictionary<string, string> { ["hollow.skiff.dev/crash-loop"] = "true" });

        // Cycle 0 ends at 0; back-off 10 s; cycle 1 runs 0 s at 10; back-off 20 s; cycle 2 at 30; back-off 40 s (the cap).
        var (first, next, phase) = At(Pod(), b, 5);
        Assert.Equal("CrashLoopBackOff", first.State.Waiting.Reason);
        Assert.Equal("back-off 10s restarting failed container=c pod=p_ns(u1)", first.State.Waiting.Message);
        Assert.Equal(1, first.RestartCount);
        Assert.Equal(1, first.LastState.Terminated.ExitCode);
        Assert.Equal(T0.AddSeconds(10), next);
        Assert.Equal("Running", phase);

        var (second, next2, _) = At(Pod(), b, 15);
        Assert.Equal(2, second.RestartCount);
        Assert.Equal("back-off 20s restarting failed container=c pod=p_ns(u1)", second.State.Waiting.Message);
        Assert.Equal(T0.AddSeconds(30), next2);

        var (capped, _, _) = At(Pod(), b, 31 + 40 + 40);
        Assert.Equal("back-off 40s restarting failed container=c pod=p_ns(u1)", capped.State.Waiting.Message);
    }

    [Fact]
    public void ExitAfter_UnderAlways_RestartsAndRunsAgain()
    {
        var b = new HollowBehaviour { ExitAfter = TimeSpan.FromSeconds(5) };
        var (c, next, phase) = At(Pod(), b, 16);
        Assert.NotNull(c.State.Running);
        Assert.Equal(T0.AddSeconds(15).UtcDateTime, c.State.Running.StartedAt);
        Assert.Equal(1, c.RestartCount);
        Assert.Equal("Completed", c.LastState.Terminated.Reason);
        Assert.Equal(T0.AddSeconds(20), next);
        Assert.Equal("Running", phase);
    }

    [Fact]
    public void NeverReady_RunsUnready()
    {
        var (c, next, _) = At(Pod(), new HollowBehaviour { NeverReady = true }, 100);
        Assert.NotNull(c.State.Running);
        Assert.False(c.Ready);
        Assert.Null(next);
    }

    [Fact]
    public void FlipReadiness_AlternatesEachPeriod()
    {
        var b = new HollowBehaviour { FlipReadiness = TimeSpan.FromSeconds(2) };
        Assert.Equal([true, true, false, false, true], Enumerable.Range(0, 5).Select(s => At(Pod(), b, s).C.Ready));
        Assert.Equal(T0.AddSeconds(4), At(Pod(), b, 3).Next);
    }
}
