using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Cri.V1;
using Skiff.Kubelet.Status;

namespace Skiff.Kubelet.Pods;

/// <summary>The pod's status from the runtime's view, through <see cref="PodStatusBuilder"/>.</summary>
internal sealed partial class PodWorker
{
    /// <summary>
    /// Builds the status, patches <c>pods/status</c> when it changed; returns the phase. <paramref name="terminal"/>: the
    /// pod's containers are stopped for good (it is being deleted): a container the runtime no longer shows as exited is
    /// reported terminated with upstream's <c>ContainerStatusUnknown</c> (exit code 137), and the phase is terminal.
    /// </summary>
    private async Task<string?> PublishAsync(V1Pod pod, Dictionary<string, List<Instance>> instances, bool sandboxReady, CancellationToken ct, bool terminal = false)
    {
        V1ContainerStatus Of(V1Container c) => terminal ? Unknown(StatusOf(pod, c, instances)) : StatusOf(pod, c, instances);
        var runtime = new PodRuntimeStatus
        {
            InitContainerStatuses = [.. (pod.Spec.InitContainers ?? []).Select(Of)],
            ContainerStatuses = [.. pod.Spec.Containers.Select(Of)],
            SandboxReady = sandboxReady,
            PodIPs = _podIp is null ? [] : [_podIp],
            HostIPs = _owner.HostIps(),
            StartTime = _startTime,
        };
        var status = PodStatusBuilder.Build(pod, runtime, _owner.Options.TimeProvider.GetUtcNow(), terminal);
        var fingerprint = Hollow.HollowNodeSet.Fingerprint(status) + "|" + string.Join(',', (status.ContainerStatuses ?? []).Concat(status.InitContainerStatuses ?? [])
            .Select(s => s.ContainerID + s.ImageID + s.LastState?.Terminated?.ExitCode + s.State?.Waiting?.Message));
        if (fingerprint == _lastFingerprint)
        {
            return status.Phase;
        }

        try
        {
            await _owner.Client.CoreV1().Pods(pod.Metadata.NamespaceProperty).PatchAsync(pod.Metadata.Name, PatchType.StrategicMerge,
                new Dictionary<string, object> { ["metadata"] = new Dictionary<string, string> { ["uid"] = Uid }, ["status"] = status },
                subresource: "status", ct: ct).ConfigureAwait(false);
            _lastFingerprint = fingerprint;
            if (_trace is { } trace)
            {
                if (status.Phase == "Running")
                {
                    trace.Published("status.patch");
                    _trace = null;
                    _owner.Options.PodStarted?.Invoke(trace);
                }
                else
                {
                    trace.Mark("status.patch");
                }
            }
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsConflict(e))
        {
            // Gone or replaced: the informer's delete event follows.
        }

        return status.Phase;
    }

    /// <summary>upstream's <c>TerminatePod</c>: a container that is not terminated is reported as terminated, state unknown.</summary>
    private static V1ContainerStatus Unknown(V1ContainerStatus s)
    {
        if (s.State?.Terminated is not null)
        {
            return s;
        }

        if (s.State?.Running is not null)
        {
            s.LastState = new V1ContainerState();
        }

        s.State = new V1ContainerState
        {
            Terminated = new V1ContainerStateTerminated
            {
                ExitCode = 137,
                Reason = "ContainerStatusUnknown",
                Message = "The container could not be located when the pod was terminated",
            },
        };
        s.Ready = false;
        s.Started = false;
        return s;
    }

    private V1ContainerStatus StatusOf(V1Pod pod, V1Container c, Dictionary<string, List<Instance>> instances)
    {
        var list = instances.TryGetValue(c.Name, out var l) ? l : [];
        var latest = list.FirstOrDefault();
        var status = new V1ContainerStatus { Name = c.Name, Image = c.Image, ImageID = latest?.ImageRef ?? "", RestartCount = latest?.Attempt ?? 0 };
        if (latest is not null)
        {
            status.ContainerID = "containerd://" + latest.Id;
        }

        var waiting = _waiting.TryGetValue(c.Name, out var w) ? w : default;
        switch (latest)
        {
            case { State: ContainerState.ContainerRunning }:
                var started = _owner.Probes.IsStarted(Uid, c.Name);
                status.State = new V1ContainerState { Running = new V1ContainerStateRunning { StartedAt = latest.StartedAt?.UtcDateTime } };
                status.Started = started;
                status.Ready = started && _owner.Probes.IsReady(Uid, c.Name);
                status.LastState = list.Count > 1 ? Terminated(list[1], c) : new V1ContainerState();
                break;
            case { Exited: true } when waiting.Reason is not null:
                status.State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = waiting.Reason, Message = waiting.Message } };
                status.LastState = Terminated(latest, c);
                status.Started = false;
                status.Ready = false;
                break;
            case { Exited: true }:
                status.State = Terminated(latest, c);
                status.LastState = list.Count > 1 ? Terminated(list[1], c) : new V1ContainerState();
                status.Started = false;
                status.Ready = false;
                break;
            default:
                status.State = new V1ContainerState { Waiting = new V1ContainerStateWaiting { Reason = waiting.Reason ?? "ContainerCreating", Message = waiting.Message } };
                status.LastState = new V1ContainerState();
                status.Started = false;
                status.Ready = false;
                break;
        }

        return status;
    }

    private V1ContainerState Terminated(Instance i, V1Container c)
    {
        var message = i.Message;
        if (string.IsNullOrEmpty(message))
        {
            var file = Path.Combine(_owner.Volumes.PodDirectory(Uid), "containers", c.Name, i.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (File.Exists(file))
            {
                message = File.ReadAllText(file);
                if (message.Length > 4096)
                {
                    message = message[..4096];
                }
            }
        }

        return new V1ContainerState
        {
            Terminated = new V1ContainerStateTerminated
            {
                ExitCode = i.ExitCode,
                Reason = string.IsNullOrEmpty(i.Reason) ? (i.ExitCode == 0 ? "Completed" : "Error") : i.Reason,
                Message = string.IsNullOrEmpty(message) ? null : message,
                StartedAt = i.StartedAt?.UtcDateTime,
                FinishedAt = i.FinishedAt?.UtcDateTime,
                ContainerID = "containerd://" + i.Id,
            },
        };
    }
}
