using k8s.Models;
using Skiff.Kubelet.Status;
using Xunit;

namespace Skiff.Kubelet.Tests.Status;

/// <summary>Sidecars (restartable init containers) in the phase and conditions, as upstream's <c>getPhase</c> and <c>generate.go</c>.</summary>
public sealed class PodStatusBuilderSidecarTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private static V1Pod Pod(string policy) => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Uid = "u" },
        Spec = new V1PodSpec
        {
            RestartPolicy = policy,
            InitContainers = [new V1Container { Name = "sidecar", Image = "i", RestartPolicy = "Always" }],
            Containers = [new V1Container { Name = "main", Image = "i" }],
        },
    };

    private static V1ContainerStatus Running(string name, bool started, bool ready = true) => new()
    {
        Name = name, Image = "i", ImageID = "", Ready = ready, Started = started, RestartCount = 0,
        State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = Now.UtcDateTime } },
    };

    private static V1ContainerStatus Terminated(string name, int code) => new()
    {
        Name = name, Image = "i", ImageID = "", Ready = false, Started = false, RestartCount = 0,
        State = new V1ContainerState { Terminated = new V1ContainerStateTerminated { ExitCode = code, Reason = code == 0 ? "Completed" : "Error" } },
    };

    private static V1PodCondition Cond(V1PodStatus s, string type) => s.Conditions.Single(c => c.Type == type);

    [Fact]
    public void StartedSidecar_InitializesThePod_MainStillCreating_IsPending()
    {
        var s = PodStatusBuilder.Build(Pod("Never"), new PodRuntimeStatus { InitContainerStatuses = [Running("sidecar", started: true)] }, Now);
        Assert.Equal("Pending", s.Phase);
        Assert.Equal("True", Cond(s, "Initialized").Status);
        Assert.Equal("ContainerCreating", s.ContainerStatuses.Single().State.Waiting.Reason);
    }

    [Fact]
    public void SidecarNotYetStarted_KeepsThePodUninitialized()
    {
        var s = PodStatusBuilder.Build(Pod("Never"), new PodRuntimeStatus { InitContainerStatuses = [Running("sidecar", started: false)] }, Now);
        Assert.Equal("Pending", s.Phase);
        Assert.Equal("containers with incomplete status: [sidecar]", Cond(s, "Initialized").Message);
        Assert.Equal("PodInitializing", s.ContainerStatuses.Single().State.Waiting.Reason);
    }

    [Fact]
    public void MainCompleted_SidecarStillRunning_IsRunning()
    {
        var s = PodStatusBuilder.Build(Pod("Never"), new PodRuntimeStatus { InitContainerStatuses = [Running("sidecar", true)], ContainerStatuses = [Terminated("main", 0)] }, Now);
        Assert.Equal("Running", s.Phase);
    }

    [Theory]
    [InlineData("Never", 0, "Succeeded")]
    [InlineData("Never", 1, "Failed")]
    [InlineData("OnFailure", 0, "Succeeded")]
    public void MainCompleted_SidecarStopped_PhaseIgnoresTheSidecar(string policy, int mainExit, string phase)
    {
        var s = PodStatusBuilder.Build(Pod(policy), new PodRuntimeStatus { InitContainerStatuses = [Terminated("sidecar", 137)], ContainerStatuses = [Terminated("main", mainExit)] }, Now);
        Assert.Equal(phase, s.Phase);
    }

    [Fact]
    public void UnreadySidecar_IsNamedInContainersReady()
    {
        var s = PodStatusBuilder.Build(Pod("Always"), new PodRuntimeStatus { InitContainerStatuses = [Running("sidecar", true, ready: false)], ContainerStatuses = [Running("main", true)] }, Now);
        Assert.Equal("Running", s.Phase);
        Assert.Equal("containers with unready status: [sidecar]", Cond(s, "ContainersReady").Message);
    }
}
