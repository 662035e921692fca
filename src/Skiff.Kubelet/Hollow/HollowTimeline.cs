using k8s.Models;

namespace Skiff.Kubelet.Hollow;

/// <summary>
/// The simulated life of a hollow pod's containers as a pure function of time: given when the pod was accepted
/// (<c>start</c>), its <see cref="HollowBehaviour"/> and restartPolicy, <see cref="At"/> returns every container's status at
/// <c>now</c> and the next instant anything changes. Init containers complete at once when the start delay ends; app
/// containers then run, exit per <c>exit-after</c>, restart per restartPolicy after upstream's CrashLoopBackOff back-off
/// (<see cref="BackOff"/> doubling up to <see cref="MaxBackOff"/>), with restartCount and lastState as a kubelet reports
/// them. Because state is derived from time alone, a restarted hollow process resumes where the pod's startTime says.
/// </summary>
public sealed class HollowTimeline(TimeSpan backOff, TimeSpan maxBackOff)
{
    /// <summary>Upstream's initial container restart back-off.</summary>
    public static readonly TimeSpan DefaultBackOff = TimeSpan.FromSeconds(10);

    /// <summary>Upstream's maximum container restart back-off.</summary>
    public static readonly TimeSpan DefaultMaxBackOff = TimeSpan.FromMinutes(5);

    private const int MaxCycles = 100_000;

    public TimeSpan BackOff => backOff;

    public TimeSpan MaxBackOff => maxBackOff;

    /// <summary>The containers' statuses at <paramref name="now"/> and when the next change is due (null: never).</summary>
    public (List<V1ContainerStatus> Init, List<V1ContainerStatus> App, DateTimeOffset? Next) At(
        V1Pod pod, HollowBehaviour behaviour, DateTimeOffset start, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(behaviour);
        var spec = pod.Spec ?? new V1PodSpec();
        var policy = spec.RestartPolicy ?? "Always";
        var started = start + behaviour.StartDelay;
        var uid = pod.Metadata?.Uid ?? "";
        var init = new List<V1ContainerStatus>();
        foreach (var c in spec.InitContainers ?? [])
        {
            init.Add(now < started
                ? Waiting(c, 0, "PodInitializing", null, null)
                : Status(c, uid, 0, 0, ready: false, started: false, new V1ContainerState
                {
                    Terminated = new V1ContainerStateTerminated { ExitCode = 0, Reason = "Completed", StartedAt = started.UtcDateTime, FinishedAt = started.UtcDateTime, ContainerID = ContainerId(uid, c.Name, 0) },
                }, null));
        }

        var app = new List<V1ContainerStatus>();
        DateTimeOffset? next = null;
        foreach (var c in spec.Containers ?? [])
        {
            var (status, due) = Container(pod, c, uid, policy, behaviour, started, now);
            app.Add(status);
            next = Earliest(next, due);
        }

        return (init, app, next);
    }

    private (V1ContainerStatus Status, DateTimeOffset? Next) Container(V1Pod pod, V1Container c, string uid, string policy,
        HollowBehaviour b, DateTimeOffset started, DateTimeOffset now)
    {
        if (now < started)
        {
            return (Waiting(c, 0, "ContainerCreating", null, null), started);
        }

        if (b.ExitAfter is not { } runFor)
        {
            var (ready, flip) = Readiness(b, started, now);
            return (Running(c, uid, 0, started, ready, null), flip);
        }

        var restarts = policy == "Always" || (policy == "OnFailure" && b.ExitCode != 0);
        var cycleStart = started;
        V1ContainerState? last = null;
        for (var k = 0; k < MaxCycles; k++)
        {
            var end = cycleStart + runFor;
            if (now < end)
            {
                var (ready, flip) = Readiness(b, cycleStart, now);
                return (Running(c, uid, k, cycleStart, ready, last), Earliest(end, flip));
            }

            var terminated = new V1ContainerState
            {
                Terminated = new V1ContainerStateTerminated
                {
                    ExitCode = b.ExitCode,
                    Reason = b.ExitCode == 0 ? "Completed" : "Error",
                    StartedAt = cycleStart.UtcDateTime,
                    FinishedAt = end.UtcDateTime,
                    ContainerID = ContainerId(uid, c.Name, k),
                },
            };
            if (!restarts)
            {
                return (Status(c, uid, k, k, ready: false, started: false, terminated, last), null);
            }

            var wait = Delay(k);
            var restartAt = end + wait;
            if (now < restartAt)
            {
                var message = $"back-off {GoDuration.Format(wait)} restarting failed container={c.Name} pod={pod.Metadata?.Name}_{pod.Metadata?.NamespaceProperty}({uid})";
                return (Waiting(c, k + 1, "CrashLoopBackOff", message, terminated), restartAt);
            }

            last = terminated;
            cycleStart = restartAt;
        }

        return (Waiting(c, MaxCycles, "CrashLoopBackOff", null, last), null);
    }

    private TimeSpan Delay(int k)
    {
        var d = backOff;
        for (var i = 0; i < k && d < maxBackOff; i++)
        {
            d *= 2;
        }

        return d < maxBackOff ? d : maxBackOff;
    }

    private static (bool Ready, DateTimeOffset? Next) Readiness(HollowBehaviour b, DateTimeOffset since, DateTimeOffset now)
    {
        if (b.NeverReady)
        {
            return (false, null);
        }

        if (b.FlipReadiness is not { } period)
        {
            return (true, null);
        }

        var n = (long)Math.Floor((now - since) / period);
        return (n % 2 == 0, since + (period * (n + 1)));
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    private static string ContainerId(string uid, string name, int attempt) => $"hollow://{uid}/{name}/{attempt}";

    private static V1ContainerStatus Waiting(V1Container c, int restarts, string reason, string? message, V1ContainerState? last) => new()
    {
        Name = c.Name,
        Image = c.Image,
        ImageID = "",
        Ready = false,
        Started = false,
        RestartCount = restarts,
        State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = reason, Message = message } },
        LastState = last ?? new V1ContainerState(),
    };

    private static V1ContainerStatus Running(V1Container c, string uid, int attempt, DateTimeOffset since, bool ready, V1ContainerState? last) =>
        Status(c, uid, attempt, attempt, ready, started: true,
            new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = since.UtcDateTime } }, last);

    private static V1ContainerStatus Status(V1Container c, string uid, int attempt, int restarts, bool ready, bool started,
        V1ContainerState state, V1ContainerState? last) => new()
    {
        Name = c.Name,
        Image = c.Image,
        ImageID = "hollow://" + c.Image,
        ContainerID = ContainerId(uid, c.Name, attempt),
        Ready = ready,
        Started = started,
        RestartCount = restarts,
        State = state,
        LastState = last ?? new V1ContainerState(),
    };
}
