using System.Collections.Concurrent;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Skiff.Kubelet.Prober;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Prober;

/// <summary>The worker semantics on a fake clock, with exec probes running real commands on the host.</summary>
public sealed class ProbeManagerTests : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly HostProcessExec _exec = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("skiff-probe-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Liveness_FiresUnhealthyAfterExactlyFailureThresholdFailures_HoldsUntilANewContainer_WhichStartsOver()
    {
        await using var m = Manager();
        var log = new ProbePassLog(m);
        var failures = new ConcurrentQueue<ProbeFailure>();
        m.Unhealthy += failures.Enqueue;
        var probe = Exec("echo sick; exit 1", failure: 3);
        probe.TerminationGracePeriodSeconds = 7;
        var pod = Pod(new V1Container { Name = "app", LivenessProbe = probe });
        m.Sync(pod, "10.0.0.1", [new RunningContainer("app", "c1", _time.GetUtcNow())]);

        for (var i = 1; i <= 3; i++)
        {
            var pass = await log.NextAsync(ProbeKind.Liveness);
            Assert.Equal(ProbeResult.Failure, pass.Ran);
            Assert.Equal(i == 3 ? 1 : 0, failures.Count);
            _time.Advance(Period);
        }

        var failure = Assert.Single(failures);
        Assert.Equal(new ProbeFailure("uid-1", "app", "c1", "Liveness", "sick\n") { TerminationGracePeriodSeconds = 7 }, failure);

        // On hold: the dying container is not probed again.
        Assert.Null((await log.NextAsync(ProbeKind.Liveness)).Ran);

        // The restarted container counts from zero.
        m.Sync(pod, "10.0.0.1", [new RunningContainer("app", "c2", _time.GetUtcNow())]);
        for (var i = 1; i <= 3; i++)
        {
            _time.Advance(Period);
            var pass = await log.NextAsync(ProbeKind.Liveness);
            Assert.Equal(("c2", ProbeResult.Failure), (pass.ContainerId, pass.Ran));
            Assert.Equal(i == 3 ? 2 : 1, failures.Count);
        }

        Assert.Equal("c2", failures.Last().ContainerId);
    }

    [Fact]
    public async Task Readiness_FlipsBothWays_AfterSuccessThresholdAndFailureThreshold_AndRaisesChanged()
    {
        await using var m = Manager();
        var log = new ProbePassLog(m);
        var changed = 0;
        m.Changed += uid => Interlocked.Increment(ref changed);
        var file = Path.Combine(_dir, "ready");
        File.WriteAllText(file, "");
        var pod = Pod(new V1Container { Name = "app", ReadinessProbe = Exec($"test -f {file}", failure: 2, success: 2) });
        m.Sync(pod, "10.0.0.1", [new RunningContainer("app", "c1", _time.GetUtcNow())]);

        Assert.Equal(ProbeResult.Success, (await log.NextAsync(ProbeKind.Readiness)).Ran);
        Assert.False(m.IsReady("uid-1", "app"));
        var before = Volatile.Read(ref changed);
        _time.Advance(Period);
        Assert.Equal(ProbeResult.Success, (await log.NextAsync(ProbeKind.Readiness)).Ran);
        Assert.True(m.IsReady("uid-1", "app"));
        Assert.Equal(before + 1, Volatile.Read(ref changed));

        File.Delete(file);
        _time.Advance(Period);
        Assert.Equal(ProbeResult.Failure, (await log.NextAsync(ProbeKind.Readiness)).Ran);
        Assert.True(m.IsReady("uid-1", "app"));
        _time.Advance(Period);
        Assert.Equal(ProbeResult.Failure, (await log.NextAsync(ProbeKind.Readiness)).Ran);
        Assert.False(m.IsReady("uid-1", "app"));
        Assert.Equal(before + 2, Volatile.Read(ref changed));

        File.WriteAllText(file, "");
        _time.Advance(Period);
        await log.NextAsync(ProbeKind.Readiness);
        Assert.False(m.IsReady("uid-1", "app"));
        _time.Advance(Period);
        await log.NextAsync(ProbeKind.Readiness);
        Assert.True(m.IsReady("uid-1", "app"));
    }

    [Fact]
    public async Task Startup_GatesLivenessAndReadiness_ThenStopsProbing()
    {
        await using var m = Manager();
        var log = new ProbePassLog(m);
        var failures = new ConcurrentQueue<ProbeFailure>();
        m.Unhealthy += failures.Enqueue;
        var file = Path.Combine(_dir, "started");
        var pod = Pod(new V1Container
        {
            Name = "app",
            StartupProbe = Exec($"test -f {file}", failure: 30),
            LivenessProbe = Exec("exit 1", failure: 1),
            ReadinessProbe = Exec("true"),
        });
        m.Sync(pod, "10.0.0.1", [new RunningContainer("app", "c1", _time.GetUtcNow())]);

        for (var i = 0; i < 2; i++)
        {
            if (i > 0)
            {
                _time.Advance(Period);
            }

            Assert.Equal(ProbeResult.Failure, (await log.NextAsync(ProbeKind.Startup)).Ran);
            Assert.Null((await log.NextAsync(ProbeKind.Liveness)).Ran);
            Assert.Null((await log.NextAsync(ProbeKind.Readiness)).Ran);
            Assert.False(m.IsStarted("uid-1", "app"));
            Assert.False(m.IsReady("uid-1", "app"));
        }

        File.WriteAllText(file, "");
        _time.Advance(Period);
        var startedPass = await log.NextAsync(ProbeKind.Startup);
        Assert.Equal(ProbeResult.Success, startedPass.Ran);
        Assert.True(m.IsStarted("uid-1", "app"));
        _time.Advance(Period);

        // Liveness runs only once the startup probe succeeded, and then fails the container.
        ProbePass liveness;
        while ((liveness = await log.NextAsync(ProbeKind.Liveness)).Ran is null)
        {
            Assert.True(liveness.At <= startedPass.At);
        }

        Assert.Equal(ProbeResult.Failure, liveness.Ran);
        Assert.Equal("Liveness", Assert.Single(failures).Kind);
        Assert.Null((await log.NextAsync(ProbeKind.Startup)).Ran);
    }

    [Fact]
    public async Task InitialDelaySeconds_IsHonouredFromTheContainersStart()
    {
        await using var m = Manager();
        var log = new ProbePassLog(m);
        var pod = Pod(new V1Container { Name = "app", LivenessProbe = Exec("exit 1", failure: 1, delay: 25) });
        var started = _time.GetUtcNow();
        m.Sync(pod, "10.0.0.1", [new RunningContainer("app", "c1", started)]);

        for (var i = 0; i < 3; i++)
        {
            Assert.Null((await log.NextAsync(ProbeKind.Liveness)).Ran);
            _time.Advance(Period);
        }

        var pass = await log.NextAsync(ProbeKind.Liveness);
        Assert.Equal(ProbeResult.Failure, pass.Ran);
        Assert.Equal(TimeSpan.FromSeconds(30), pass.At - started);
        Assert.Equal(1, _exec.Calls);
    }

    [Fact]
    public async Task FirstProbe_IsJitteredWhileTheManagerIsYoung_NotAfterwards()
    {
        var start = _time.GetUtcNow();
        await using var m = Manager(jitter: 0.5);
        var log = new ProbePassLog(m);
        m.Sync(Pod(new V1Container { Name = "app", ReadinessProbe = Exec("true") }), "10.0.0.1", [new RunningContainer("app", "c1", start)]);
        _time.Advance(TimeSpan.FromSeconds(4));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(5), (await log.NextAsync(ProbeKind.Readiness)).At - start);

        _time.Advance(TimeSpan.FromSeconds(20));
        m.Sync(Pod(new V1Container { Name = "app", ReadinessProbe = Exec("true") }, uid: "uid-2"), "10.0.0.2", [new RunningContainer("app", "d1", start)]);
        ProbePass pass;
        while ((pass = await log.NextAsync(ProbeKind.Readiness)).Key.PodUid != "uid-2")
        {
        }

        Assert.Equal(TimeSpan.FromSeconds(25), pass.At - start);
    }

    [Fact]
    public async Task RestartedContainer_IsNotReadyUntilItPasses_AndAStoppedOneIsNeitherReadyNorStarted()
    {
        await using var m = Manager();
        var log = new ProbePassLog(m);
        var pod = Pod(new V1Container { Name = "app", ReadinessProbe = Exec("true") });
        m.Sync(pod, "10.0.0.1", [new RunningContainer("app", "c1", _time.GetUtcNow())]);
        await log.NextAsync(ProbeKind.Readiness);
        Assert.True(m.IsReady("uid-1", "app"));

        m.Sync(pod, "10.0.0.1", []);
        Assert.False(m.IsReady("uid-1", "app"));
        Assert.False(m.IsStarted("uid-1", "app"));

        m.Sync(pod, "10.0.0.1", [new RunningContainer("app", "c2", _time.GetUtcNow())]);
        Assert.False(m.IsReady("uid-1", "app"));
        _time.Advance(Period);
        Assert.Equal(("c2", ProbeResult.Success), await PassOfAsync(log, ProbeKind.Readiness));
        Assert.True(m.IsReady("uid-1", "app"));

        // Containers without probes are ready and started; a removed pod forgets its workers.
        Assert.True(m.IsReady("uid-1", "other"));
        m.Remove("uid-1");
        Assert.Equal(0, m.WorkerCount);
    }

    [Fact]
    public async Task IsReady_TriggersAnImmediateReadinessProbe_WhenNotReadyYet()
    {
        await using var m = Manager(trigger: true);
        var log = new ProbePassLog(m);
        var start = _time.GetUtcNow();
        m.Sync(Pod(new V1Container { Name = "app", ReadinessProbe = Exec("true", period: 3600, delay: 5) }), "10.0.0.1", [new RunningContainer("app", "c1", start)]);
        Assert.Null((await log.NextAsync(ProbeKind.Readiness)).Ran);

        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(m.IsReady("uid-1", "app"));
        var pass = await log.NextAsync(ProbeKind.Readiness);
        Assert.Equal(ProbeResult.Success, pass.Ran);
        Assert.Equal(TimeSpan.FromSeconds(5), pass.At - start);
        Assert.True(m.IsReady("uid-1", "app"));
    }

    [Fact]
    public async Task DeletedPod_EndsLivenessWithSuccess_AndStartsNoNewLivenessWorker()
    {
        await using var m = Manager();
        var log = new ProbePassLog(m);
        var failures = new ConcurrentQueue<ProbeFailure>();
        m.Unhealthy += failures.Enqueue;
        var pod = Pod(new V1Container { Name = "app", LivenessProbe = Exec("exit 1", failure: 1), ReadinessProbe = Exec("true") });
        pod.Metadata.DeletionTimestamp = _time.GetUtcNow().UtcDateTime;
        m.Sync(pod, "10.0.0.1", [new RunningContainer("app", "c1", _time.GetUtcNow())]);

        Assert.Equal(ProbeResult.Success, (await log.NextAsync(ProbeKind.Readiness)).Ran);
        Assert.Equal(1, m.WorkerCount);
        Assert.Empty(failures);
    }

    private static async Task<(string?, ProbeResult?)> PassOfAsync(ProbePassLog log, ProbeKind kind)
    {
        var pass = await log.NextAsync(kind);
        return (pass.ContainerId, pass.Ran);
    }

    private ProbeManager Manager(double jitter = 0, bool trigger = false) =>
        new(_exec, new ProbeManagerOptions { TimeProvider = _time, Random = new FixedRandom(jitter), TriggerReadinessOnStatusRead = trigger });

    private static V1Pod Pod(V1Container container, string uid = "uid-1") => new()
    {
        Metadata = new V1ObjectMeta { Name = "p", NamespaceProperty = "ns", Uid = uid },
        Spec = new V1PodSpec { Containers = [container], RestartPolicy = "Always" },
    };

    private static V1Probe Exec(string script, int period = 10, int failure = 3, int success = 1, int delay = 0) => new()
    {
        Exec = new V1ExecAction { Command = ["sh", "-c", script] },
        PeriodSeconds = period,
        FailureThreshold = failure,
        SuccessThreshold = success,
        InitialDelaySeconds = delay,
        TimeoutSeconds = 30,
    };

    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }
}
