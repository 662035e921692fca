using Grpc.Core;
using Skiff.Cri.V1;
using Skiff.Kubelet.Images;
using Skiff.Kubelet.Runtime;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Runtime;

/// <summary>The runtime layer against a real containerd: images present/absent, sandbox and container lifecycle, exec.</summary>
public sealed class CriConformanceTests(ContainerdFixture fx) : IClassFixture<ContainerdFixture>
{
    [SkippableFact]
    public async Task ImportedImagesArePresentAndUnknownOnesAreNot()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        Assert.True(await ImageImporter.PresentAsync(fx.Cri, SkiffImages.PauseImage, default));
        Assert.True(await ImageImporter.PresentAsync(fx.Cri, SkiffImages.BusyboxImage, default));
        Assert.False(await ImageImporter.PresentAsync(fx.Cri, "docker.io/library/nope:1", default));
        var pull = await Assert.ThrowsAsync<RpcException>(async () =>
            await fx.Cri.Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = "registry.invalid/none:1" } }, deadline: DateTime.UtcNow.AddSeconds(30)));
        Assert.NotEqual(StatusCode.OK, pull.StatusCode);
    }

    [SkippableFact]
    public async Task SandboxAndContainerLifecycleWithExec()
    {
        Skip.If(fx.SkipReason is not null, fx.SkipReason);
        var uid = Guid.NewGuid().ToString();
        var logs = Path.Combine(fx.Directory, "logs", uid);
        Directory.CreateDirectory(logs);
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = "conf", Namespace = "default", Uid = uid },
            Hostname = "conf",
            LogDirectory = logs,
            Linux = new LinuxPodSandboxConfig(),
        };
        var sandbox = (await fx.Cri.Runtime.RunPodSandboxAsync(new RunPodSandboxRequest { Config = config })).PodSandboxId;
        try
        {
            var status = await fx.Cri.Runtime.PodSandboxStatusAsync(new PodSandboxStatusRequest { PodSandboxId = sandbox });
            Assert.Equal(PodSandboxState.SandboxReady, status.Status.State);
            Assert.StartsWith(fx.PodCidr[..fx.PodCidr.LastIndexOf('.')], status.Status.Network.Ip);

            var container = new ContainerConfig
            {
                Metadata = new ContainerMetadata { Name = "c" },
                Image = new ImageSpec { Image = SkiffImages.BusyboxImage },
                Command = { "sh", "-c", "echo hello; exec sleep 3600" },
                LogPath = "c/0.log",
            };
            var id = (await fx.Cri.Runtime.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = sandbox, Config = container, SandboxConfig = config })).ContainerId;
            await fx.Cri.Runtime.StartContainerAsync(new StartContainerRequest { ContainerId = id });
            var cs = await fx.Cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id });
            Assert.Equal(ContainerState.ContainerRunning, cs.Status.State);

            var exec = new CriContainerExec(fx.Cri);
            var ok = await exec.ExecSyncAsync(id, ["sh", "-c", "echo out; echo err >&2; exit 3"], TimeSpan.FromSeconds(10), default);
            Assert.Equal(3, ok.ExitCode);
            Assert.Equal("out\n", System.Text.Encoding.UTF8.GetString(ok.Stdout));
            Assert.Equal("err\n", System.Text.Encoding.UTF8.GetString(ok.Stderr));
            var slow = await exec.ExecSyncAsync(id, ["sleep", "30"], TimeSpan.FromSeconds(1), default);
            Assert.True(slow.TimedOut || slow.ExitCode != 0);

            await fx.Cri.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = id, Timeout = 2 });
            cs = await fx.Cri.Runtime.ContainerStatusAsync(new ContainerStatusRequest { ContainerId = id });
            Assert.Equal(ContainerState.ContainerExited, cs.Status.State);
            Assert.Contains("hello", await File.ReadAllTextAsync(Path.Combine(logs, "c/0.log")));
            await fx.Cri.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = id });
        }
        finally
        {
            await fx.Cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = sandbox });
            await fx.Cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = sandbox });
        }

        var left = await fx.Cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest());
        Assert.DoesNotContain(left.Items, s => s.Id == sandbox);
    }
}
