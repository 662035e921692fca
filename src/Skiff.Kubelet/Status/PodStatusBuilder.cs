using k8s.Models;

namespace Skiff.Kubelet.Status;

/// <summary>
/// The pod status a kubelet posts, from what the runtime reports (<see cref="PodRuntimeStatus"/>), as upstream's
/// <c>generateAPIPodStatus</c>, <c>getPhase</c> and <c>pkg/kubelet/status/generate.go</c>:
/// <list type="bullet">
/// <item>phase: Pending while an init container is unfinished or a container waits for its first start; Running while a
/// container runs or restarts; Succeeded when every container exited 0 and none restarts; Failed when one failed and
/// none restarts (or an init container failed under <c>restartPolicy: Never</c>).</item>
/// <item>conditions: non-kubelet conditions (PodScheduled, readiness-gate conditions) are kept first; PodScheduled=True
/// is added when missing; then PodReadyToStartContainers, Initialized (<c>ContainersNotInitialized</c>), Ready and
/// ContainersReady (<c>ContainersNotReady</c>, <c>ReadinessGatesNotReady</c>, <c>PodCompleted</c>) with upstream's
/// messages. A condition's lastTransitionTime is kept while its status does not change.</item>
/// <item>podIP/podIPs, hostIP/hostIPs, startTime (kept once set) and qosClass.</item>
/// </list>
/// The builder is pure: it never mutates <c>pod</c>.
/// </summary>
public static class PodStatusBuilder
{
    public const string Pending = "Pending";
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";

    private static readonly HashSet<string> KubeletConditions =
    [
        PodConditionReasons.PodReadyToStartContainers, PodConditionReasons.Initialized,
        PodConditionReasons.ContainersReady, PodConditionReasons.Ready,
    ];

    /// <summary>
    /// Builds the status of <paramref name="pod"/> at <paramref name="now"/>. <paramref name="terminal"/>: the pod's
    /// containers have been stopped for good (it is being deleted), so upstream's <c>podIsTerminal</c> phase applies —
    /// containers that all exited 0 make it Succeeded, any other exit Failed, whatever the restart policy.
    /// </summary>
    public static V1PodStatus Build(V1Pod pod, PodRuntimeStatus runtime, DateTimeOffset now, bool terminal = false)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(runtime);
        var spec = pod.Spec ?? new V1PodSpec();
        var old = pod.Status ?? new V1PodStatus();
        var at = now.UtcDateTime;
        var init = Complete(spec.InitContainers, runtime.InitContainerStatuses, "PodInitializing");
        var app = Complete(spec.Containers, runtime.ContainerStatuses, init.All(i => IsInitialized(spec, i)) ? "ContainerCreating" : "PodInitializing");
        var phase = Phase(spec, init, app, terminal);

        var conditions = new List<V1PodCondition>();
        foreach (var c in old.Conditions ?? [])
        {
            if (!KubeletConditions.Contains(c.Type))
            {
                conditions.Add(c);
            }
        }

        if (!conditions.Exists(c => c.Type == PodConditionReasons.PodScheduled))
        {
            conditions.Insert(0, new V1PodCondition { Type = PodConditionReasons.PodScheduled, Status = "True", LastTransitionTime = at });
        }

        conditions.Add(Condition(old, PodConditionReasons.PodReadyToStartContainers, runtime.SandboxReady, null, null, at));
        conditions.Add(InitializedCondition(old, spec, init, app, phase, at));
        var (containersReady, reason, message) = ContainersReadyState([.. init.Where(i => IsSidecar(spec, i.Name)), .. app], phase);
        var (ready, readyReason, readyMessage) = containersReady ? GatesState(spec, conditions) : (false, reason, message);
        conditions.Add(Condition(old, PodConditionReasons.Ready, ready, readyReason, readyMessage, at));
        conditions.Add(Condition(old, PodConditionReasons.ContainersReady, containersReady, reason, message, at));

        var podIPs = runtime.PodIPs.Count > 0 ? runtime.PodIPs : (IReadOnlyList<string>)(old.PodIPs?.Select(p => p.Ip).ToList() ?? []);
        var hostIPs = runtime.HostIPs.Count > 0 ? runtime.HostIPs : (IReadOnlyList<string>)(old.HostIPs?.Select(p => p.Ip).ToList() ?? []);
        return new V1PodStatus
        {
            Phase = phase,
            Conditions = conditions,
            InitContainerStatuses = init.Count > 0 ? init : null,
            ContainerStatuses = app,
            PodIP = podIPs.Count > 0 ? podIPs[0] : null,
            PodIPs = podIPs.Count > 0 ? [.. podIPs.Select(ip => new V1PodIP { Ip = ip })] : null,
            HostIP = hostIPs.Count > 0 ? hostIPs[0] : null,
            HostIPs = hostIPs.Count > 0 ? [.. hostIPs.Select(ip => new V1HostIP { Ip = ip })] : null,
            StartTime = old.StartTime ?? runtime.StartTime ?? at,
            QosClass = QosClass.Of(spec),
            NominatedNodeName = old.NominatedNodeName,
        };
    }

    /// <summary>
    /// Upstream's <c>getPhase</c>, with sidecars: a restartable init container (<c>restartPolicy: Always</c>) counts as
    /// running while it runs and is pending until it has started; once it has stopped it no longer counts, so a pod
    /// whose regular containers completed is Succeeded (or Failed) after the kubelet stopped its sidecars.
    /// <paramref name="podIsTerminal"/> as upstream's: stopped containers decide the phase whatever the restart policy.
    /// </summary>
    public static string Phase(V1PodSpec spec, IReadOnlyList<V1ContainerStatus> init, IReadOnlyList<V1ContainerStatus> app, bool podIsTerminal = false)
    {
        var policy = spec.RestartPolicy ?? "Always";
        int pendingInit = 0, pendingSidecars = 0, failedInit = 0;
        int running = 0, waiting = 0, stopped = 0, succeeded = 0;
        foreach (var s in init)
        {
            if (!IsSidecar(spec, s.Name))
            {
                if (s.State?.Terminated is { } t)
                {
                    failedInit += t.ExitCode != 0 ? 1 : 0;
                }
                else if (s.State?.Waiting is not null && s.LastState?.Terminated is { } last)
                {
                    failedInit += last.ExitCode != 0 ? 1 : 0;
                }
                else
                {
                    pendingInit++;
                }

                continue;
            }

            if (s.State?.Running is not null)
            {
                pendingSidecars += s.Started == true ? 0 : 1;
                running++;
            }
            else if (s.State?.Terminated is null && s.LastState?.Terminated is null)
            {
                // Waiting for its first start.
                pendingSidecars++;
                waiting++;
            }
        }

        foreach (var s in app)
        {
            if (s.State?.Running is not null)
            {
                running++;
            }
            else if (s.State?.Terminated is { } t)
            {
                stopped++;
                succeeded += t.ExitCode == 0 ? 1 : 0;
            }
            else if (s.LastState?.Terminated is not null)
            {
                stopped++;
            }
            else
            {
                waiting++;
            }
        }

        if (failedInit > 0 && policy == "Never")
        {
            return Failed;
        }

        if (pendingInit > 0 || failedInit > 0 || (pendingSidecars > 0 && !AnyRegularStarted(app)) || waiting > 0)
        {
            return Pending;
        }

        return (running, stopped) switch
        {
            ( > 0, _) => Running,
            (0, > 0) when podIsTerminal => stopped == succeeded ? Succeeded : Failed,
            (0, > 0) when policy == "Always" => Running,
            (0, > 0) when stopped == succeeded => Succeeded,
            (0, > 0) when policy == "Never" => Failed,
            (0, > 0) => Running,
            _ => Pending,
        };
    }

    /// <summary>True when the init container <paramref name="name"/> is a sidecar (<c>restartPolicy: Always</c>).</summary>
    public static bool IsSidecar(V1PodSpec spec, string name) =>
        spec.InitContainers?.FirstOrDefault(c => c.Name == name)?.RestartPolicy == "Always";

    /// <summary>Upstream's <c>HasAnyRegularContainerStarted</c>.</summary>
    private static bool AnyRegularStarted(IReadOnlyList<V1ContainerStatus> app) =>
        app.Any(s => s.State?.Running is not null || s.State?.Terminated is not null || s.LastState?.Terminated is not null);

    /// <summary>Upstream's <c>isInitContainerInitialized</c>: a sidecar once started, another init container once it exited 0.</summary>
    private static bool IsInitialized(V1PodSpec spec, V1ContainerStatus s) => IsSidecar(spec, s.Name) ? s.Started == true : IsInitDone(s);

    private static bool IsInitDone(V1ContainerStatus s) => s.State?.Terminated is { ExitCode: 0 };

    private static List<V1ContainerStatus> Complete(IList<V1Container>? containers, IReadOnlyList<V1ContainerStatus> reported, string waitingReason)
    {
        var result = new List<V1ContainerStatus>(containers?.Count ?? 0);
        foreach (var c in containers ?? [])
        {
            var s = reported.FirstOrDefault(r => r.Name == c.Name) ?? new V1ContainerStatus
            {
                Name = c.Name,
                Image = c.Image,
                ImageID = "",
                Ready = false,
                Started = false,
                RestartCount = 0,
                State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = waitingReason } },
            };
            result.Add(s);
        }

        return result;
    }

    private static V1PodCondition InitializedCondition(V1PodStatus old, V1PodSpec spec, List<V1ContainerStatus> init, List<V1ContainerStatus> app, string phase, DateTime at)
    {
        if (phase == Succeeded)
        {
            return Condition(old, PodConditionReasons.Initialized, true, PodConditionReasons.PodCompleted, null, at);
        }

        // As upstream: once a regular container has started the pod stays initialized (a restarting sidecar does not undo it).
        var incomplete = AnyRegularStarted(app) ? [] : init.Where(s => !IsInitialized(spec, s)).Select(s => s.Name).ToList();
        return incomplete.Count == 0
            ? Condition(old, PodConditionReasons.Initialized, true, null, null, at)
            : Condition(old, PodConditionReasons.Initialized, false, PodConditionReasons.ContainersNotInitialized,
                $"containers with incomplete status: [{string.Join(' ', incomplete)}]", at);
    }

    private static (bool Ready, string? Reason, string? Message) ContainersReadyState(List<V1ContainerStatus> app, string phase)
    {
        if (phase == Succeeded)
        {
            return (false, PodConditionReasons.PodCompleted, null);
        }

        var unready = app.Where(s => !s.Ready).Select(s => s.Name).ToList();
        return unready.Count == 0
            ? (true, null, null)
            : (false, PodConditionReasons.ContainersNotReady, $"containers with unready status: [{string.Join(' ', unready)}]");
    }

    private static (bool Ready, string? Reason, string? Message) GatesState(V1PodSpec spec, List<V1PodCondition> conditions)
    {
        var messages = new List<string>();
        foreach (var gate in spec.ReadinessGates ?? [])
        {
            var c = conditions.Find(x => x.Type == gate.ConditionType);
            if (c is null)
            {
                messages.Add($"corresponding condition of pod readiness gate \"{gate.ConditionType}\" does not exist.");
            }
            else if (c.Status != "True")
            {
                messages.Add($"the status of pod readiness gate \"{gate.ConditionType}\" is not \"True\", but {c.Status}");
            }
        }

        return messages.Count == 0 ? (true, null, null) : (false, PodConditionReasons.ReadinessGatesNotReady, string.Join(", ", messages));
    }

    private static V1PodCondition Condition(V1PodStatus old, string type, bool status, string? reason, string? message, DateTime at)
    {
        var value = status ? "True" : "False";
        var previous = old.Conditions?.FirstOrDefault(c => c.Type == type);
        return new V1PodCondition
        {
            Type = type,
            Status = value,
            Reason = reason,
            Message = message,
            LastProbeTime = null,
            LastTransitionTime = previous is not null && previous.Status == value ? previous.LastTransitionTime ?? at : at,
        };
    }
}
