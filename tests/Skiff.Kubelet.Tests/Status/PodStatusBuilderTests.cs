using k8s.Models;
using Skiff.Kubelet.Status;
using Xunit;

namespace Skiff.Kubelet.Tests.Status;

public sealed class PodStatusBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static V1Pod Pod(Action<V1PodSpec>? edit = null)
    {
        var spec = new V1PodSpec { Containers = [new V1Container { Name = "a", Image = "i" }, new V1Container { Name = "b", Image = "i" }] };
        edit?.Invoke(spec);
        return new V1Pod { Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Uid = "u" }, Spec = spec };
    }

    private static V1ContainerStatus Running(string name, bool ready) => new()
    {
        Name = name, Image = "i", ImageID = "", Ready = ready, Started = true, RestartCount = 0,
        State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = Now.UtcDateTime } },
    };

    private static V1ContainerStatus Terminated(string name, int code) => new()
    {
        Name = name, Image = "i", ImageID = "", Ready = false, RestartCount = 0,
        State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = code, Reason = code == 0 ? "Completed" : "Error" } },
    };

    private static V1PodCondition Cond(V1PodStatus s, string type) => s.Conditions.Single(c => c.Type == type);

    [Fact]
    public void NoContainerStarted_IsPending_WithContainerCreatingAndUnreadyConditions()
    {
        var s = PodStatusBuilder.Build(Pod(), new PodRuntimeStatus { SandboxReady = true, PodIPs = ["10.0.0.2"], HostIPs = ["172.16.0.2"] }, Now);
        Assert.Equal("Pending", s.Phase);
        Assert.All(s.ContainerStatuses, c => Assert.Equal("ContainerCreating", c.State.Waiting.Reason));
        Assert.Equal("True", Cond(s, "PodScheduled").Status);
        Assert.Equal("True", Cond(s, "Initialized").Status);
        Assert.Equal("True", Cond(s, "PodReadyToStartContainers").Status);
        Assert.Equal("False", Cond(s, "Ready").Status);
        Assert.Equal("ContainersNotReady", Cond(s, "Ready").Reason);
        Assert.Equal("containers with unready status: [a b]", Cond(s, "ContainersReady").Message);
        Assert.Equal("10.0.0.2", s.PodIP);
        Assert.Equal("10.0.0.2", s.PodIPs.Single().Ip);
        Assert.Equal("172.16.0.2", s.HostIP);
        Assert.Equal("BestEffort", s.QosClass);
        Assert.Equal(Now.UtcDateTime, s.StartTime);
    }

    [Fact]
    public void AllRunningAndReady_IsRunning_AllConditionsTrue_InUpstreamOrder()
    {
        var s = PodStatusBuilder.Build(Pod(), new PodRuntimeStatus { SandboxReady = true, ContainerStatuses = [Running("a", true), Running("b", true)] }, Now);
        Assert.Equal("Running", s.Phase);
        Assert.Equal(["PodScheduled", "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"], s.Conditions.Select(c => c.Type));
        Assert.All(s.Conditions, c => Assert.Equal("True", c.Status));
        Assert.All(s.Conditions, c => Assert.Null(c.Reason));
    }

    [Fact]
    public void OneUnready_ReadyFalseNamesIt()
    {
        var s = PodStatusBuilder.Build(Pod(), new PodRuntimeStatus { ContainerStatuses = [Running("a", true), Running("b", false)] }, Now);
        Assert.Equal("Running", s.Phase);
        Assert.Equal("containers with unready status: [b]", Cond(s, "Ready").Message);
        Assert.Equal("False", Cond(s, "PodReadyToStartContainers").Status);
    }

    [Fact]
    public void IncompleteInitContainers_NotInitialized_Pending()
    {
        var pod = Pod(s => s.InitContainers = [new V1Container { Name = "i1", Image = "i" }, new V1Container { Name = "i2", Image = "i" }]);
        var s = PodStatusBuilder.Build(pod, new PodRuntimeStatus { InitContainerStatuses = [Terminated("i1", 0)] }, Now);
        Assert.Equal("Pending", s.Phase);
        Assert.Equal("False", Cond(s, "Initialized").Status);
        Assert.Equal("ContainersNotInitialized", Cond(s, "Initialized").Reason);
        Assert.Equal("containers with incomplete status: [i2]", Cond(s, "Initialized").Message);
        Assert.All(s.ContainerStatuses, c => Assert.Equal("PodInitializing", c.State.Waiting.Reason));
    }

    [Fact]
    public void FailedInitContainer_UnderNever_IsFailed()
    {
        var pod = Pod(s => { s.RestartPolicy = "Never"; s.InitContainers = [new V1Container { Name = "i1", Image = "i" }]; });
        var s = PodStatusBuilder.Build(pod, new PodRuntimeStatus { InitContainerStatuses = [Terminated("i1", 2)] }, Now);
        Assert.Equal("Failed", s.Phase);
    }

    [Theory]
    [InlineData("Never", 0, 0, "Succeeded")]
    [InlineData("Never", 0, 1, "Failed")]
    [InlineData("OnFailure", 0, 0, "Succeeded")]
    [InlineData("OnFailure", 1, 0, "Running")]
    [InlineData("Always", 0, 0, "Running")]
    public void AllTerminated_PhaseFollowsRestartPolicy(string policy, int codeA, int codeB, string phase)
    {
        var s = PodStatusBuilder.Build(Pod(p => p.RestartPolicy = policy), new PodRuntimeStatus { ContainerStatuses = [Terminated("a", codeA), Terminated("b", codeB)] }, Now);
        Assert.Equal(phase, s.Phase);
    }

    [Fact]
    public void Succeeded_ReportsPodCompleted()
    {
        var s = PodStatusBuilder.Build(Pod(p => p.RestartPolicy = "Never"), new PodRuntimeStatus { ContainerStatuses = [Terminated("a", 0), Terminated("b", 0)] }, Now);
        Assert.Equal(("True", "PodCompleted"), (Cond(s, "Initialized").Status, Cond(s, "Initialized").Reason));
        Assert.Equal(("False", "PodCompleted"), (Cond(s, "Ready").Status, Cond(s, "Ready").Reason));
        Assert.Equal(("False", "PodCompleted"), (Cond(s, "ContainersReady").Status, Cond(s, "ContainersReady").Reason));
    }

    [Fact]
    public void WaitingWithLastTermination_CountsAsRestarting_Running()
    {
        var crashing = new V1ContainerStatus
        {
            Name = "a", Image = "i", ImageID = "", Ready = false, RestartCount = 3,
            State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = "CrashLoopBackOff" } },
            LastState = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = 1 } },
        };
        var s = PodStatusBuilder.Build(Pod(), new PodRuntimeStatus { ContainerStatuses = [crashing, Running("b", true)] }, Now);
        Assert.Equal("Running", s.Phase);
        Assert.Equal("False", Cond(s, "Ready").Status);
    }

    [Fact]
    public void ReadinessGate_Missing_OrFalse_KeepsReadyFalse()
    {
        var pod = Pod(s => s.ReadinessGates = [new V1PodReadinessGate { ConditionType = "example.com/lb" }]);
        var runtime = new PodRuntimeStatus { ContainerStatuses = [Running("a", true), Running("b", true)] };
        var s = PodStatusBuilder.Build(pod, runtime, Now);
        Assert.Equal("True", Cond(s, "ContainersReady").Status);
        Assert.Equal("ReadinessGatesNotReady", Cond(s, "Ready").Reason);
        Assert.Equal("corresponding condition of pod readiness gate \"example.com/lb\" does not exist.", Cond(s, "Ready").Message);

        pod.Status = new V1PodStatus { Conditions = [new V1PodCondition { Type = "example.com/lb", Status = "True" }] };
        Assert.Equal("True", Cond(PodStatusBuilder.Build(pod, runtime, Now), "Ready").Status);
    }

    [Fact]
    public void TransitionTime_KeptWhileStatusUnchanged_MovesOnChange()
    {
        var pod = Pod();
        var runtime = new PodRuntimeStatus { ContainerStatuses = [Running("a", true), Running("b", true)] };
        pod.Status = PodStatusBuilder.Build(pod, runtime, Now);
        var later = PodStatusBuilder.Build(pod, runtime, Now.AddMinutes(1));
        Assert.Equal(Now.UtcDateTime, Cond(later, "Ready").LastTransitionTime);

        var unready = PodStatusBuilder.Build(pod, runtime with { ContainerStatuses = [Running("a", true), Running("b", false)] }, Now.AddMinutes(2));
        Assert.Equal(Now.AddMinutes(2).UtcDateTime, Cond(unready, "Ready").LastTransitionTime);
        Assert.Equal(Now.UtcDateTime, Cond(unready, "Initialized").LastTransitionTime);
        Assert.Equal(Now.UtcDateTime, unready.StartTime);
    }

    [Fact]
    public void ExistingPodScheduled_IsKept()
    {
        var at = Now.AddHours(-1).UtcDateTime;
        var pod = Pod();
        pod.Status = new V1PodStatus { Conditions = [new V1PodCondition { Type = "PodScheduled", Status = "True", LastTransitionTime = at }] };
        var s = PodStatusBuilder.Build(pod, new PodRuntimeStatus(), Now);
        Assert.Equal(at, Cond(s, "PodScheduled").LastTransitionTime);
        Assert.Single(s.Conditions, c => c.Type == "PodScheduled");
    }
}
