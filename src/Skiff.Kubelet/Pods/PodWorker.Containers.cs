using Grpc.Core;
using k8s.Models;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Cri.V1;
using Skiff.Kubelet.Env;

namespace Skiff.Kubelet.Pods;

/// <summary>Starting, restarting and stopping containers.</summary>
internal sealed partial class PodWorker
{
    /// <summary>Init containers in order, then app containers; true when a container was started (re-list).</summary>
    private async Task<bool> StartContainersAsync(V1Pod pod, Dictionary<string, List<Instance>> instances, IReadOnlyDictionary<string, string> volumes, DateTimeOffset now, CancellationToken ct)
    {
        var policy = pod.Spec.RestartPolicy ?? "Always";
        var started = false;
        foreach (var c in pod.Spec.InitContainers ?? [])
        {
            var latest = instances.TryGetValue(c.Name, out var l) ? l[0] : null;
            if (c.RestartPolicy == "Always")
            {
                // A sidecar: started in order and left running; a later init container waits until it runs.
                if (latest is { State: ContainerState.ContainerRunning })
                {
                    continue;
                }

                started |= await StartIfDueAsync(pod, c, latest, volumes, now, ct).ConfigureAwait(false);
                return started;
            }

            if (latest is { Exited: true, ExitCode: 0 })
            {
                continue;
            }

            if (latest is { State: ContainerState.ContainerRunning or ContainerState.ContainerCreated })
            {
                return started;
            }

            if (latest is { Exited: true } && policy == "Never")
            {
                return started; // The pod fails (PodStatusBuilder sees the init container's failure).
            }

            started |= await StartIfDueAsync(pod, c, latest, volumes, now, ct).ConfigureAwait(false);
            return started;
        }

        foreach (var c in pod.Spec.Containers)
        {
            var latest = instances.TryGetValue(c.Name, out var l) ? l[0] : null;
            if (latest is { State: ContainerState.ContainerRunning })
            {
                continue;
            }

            if (latest is { Exited: true } && !(policy == "Always" || (policy == "OnFailure" && latest.ExitCode != 0)))
            {
                continue;
            }

            started |= await StartIfDueAsync(pod, c, latest, volumes, now, ct).ConfigureAwait(false);
        }

        return started;
    }

    /// <summary>
    /// True when no regular container runs or will start again (upstream's <c>computePodActions</c> then kills the pod):
    /// under <c>restartPolicy: Never</c> every container exited, under <c>OnFailure</c> every one exited 0.
    /// </summary>
    private static bool RegularContainersDone(V1Pod pod, Dictionary<string, List<Instance>> instances)
    {
        var policy = pod.Spec.RestartPolicy ?? "Always";
        return policy != "Always" && pod.Spec.Containers.All(c =>
            instances.TryGetValue(c.Name, out var l) && l[0] is { Exited: true } latest && (policy == "Never" || latest.ExitCode == 0));
    }

    /// <summary>Stops the running sidecars, last started first, once the regular containers are done; true when one was stopped.</summary>
    private async Task<bool> StopSidecarsAsync(V1Pod pod, Dictionary<string, List<Instance>> instances, CancellationToken ct)
    {
        var sidecars = (pod.Spec.InitContainers ?? []).Where(c => c.RestartPolicy == "Always")
            .Select(c => (Spec: c, Latest: instances.TryGetValue(c.Name, out var l) ? l[0] : null))
            .Where(x => x.Latest is { State: ContainerState.ContainerRunning or ContainerState.ContainerCreated })
            .ToList();
        foreach (var (spec, latest) in Enumerable.Reverse(sidecars))
        {
            await StopContainerAsync(pod, spec, latest!.Id, GracePeriod(pod), ct).ConfigureAwait(false);
        }

        return sidecars.Count > 0;
    }

    /// <summary>Starts <paramref name="c"/> unless its backoff holds it; records a waiting reason when it cannot.</summary>
    private async Task<bool> StartIfDueAsync(V1Pod pod, V1Container c, Instance? previous, IReadOnlyDictionary<string, string> volumes, DateTimeOffset now, CancellationToken ct)
    {
        var key = Uid + "/" + c.Name;
        if (previous is { Exited: true } && _owner.Backoff.NotBefore(key, previous.FinishedAt ?? now, now) is { } at)
        {
            _waiting[c.Name] = ("CrashLoopBackOff", $"back-off {Seconds(_owner.Backoff.Delay(key))} restarting failed container={c.Name} pod={pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}({Uid})");
            _owner.Events.CrashBackOff(pod, c.Name);
            Due(at);
            return false;
        }

        var pullKey = key + "#pull";
        if (_waiting.TryGetValue(c.Name, out var w) && w.Reason is "ErrImagePull" or "ImagePullBackOff" or "ErrImageNeverPull"
            && _owner.Backoff.NotBefore(pullKey, now, now) is { } pullAt)
        {
            _waiting[c.Name] = ("ImagePullBackOff", $"Back-off pulling image \"{c.Image}\"");
            _owner.Events.ImagePullBackOff(pod, c.Name, c.Image);
            Due(pullAt);
            return false;
        }

        var ensured = await EnsureImageAsync(pod, c, pullKey, now, ct).ConfigureAwait(false);
        Trace("image");
        if (!ensured)
        {
            return false;
        }

        IReadOnlyList<KeyValuePair<string, string>> env;
        try
        {
            env = await _owner.Env.ResolveAsync(pod, c, new PodNetworkInfo(_podIp is null ? [] : [_podIp], _owner.HostIps()), ct).ConfigureAwait(false);
            Trace("env");
        }
        catch (EnvResolutionException e)
        {
            _waiting[c.Name] = ("CreateContainerConfigError", e.Message);
            _owner.Events.ContainerFailed(pod, c.Name, e.Message);
            Due(now + TimeSpan.FromSeconds(2));
            return false;
        }

        var attempt = previous is null ? 0 : previous.Attempt + 1;
        try
        {
            var mounts = Mounts(pod, c, volumes, env, attempt);
            var config = PodConfigFactory.Container(pod, c, attempt, env, mounts);
            var cri = _owner.Cri.Runtime;
            var id = (await cri.CreateContainerAsync(new CreateContainerRequest { PodSandboxId = SandboxId, Config = config, SandboxConfig = _sandboxConfig }, cancellationToken: ct).ConfigureAwait(false)).ContainerId;
            Trace("container.create");
            _owner.Events.ContainerCreated(pod, c.Name);
            await cri.StartContainerAsync(new StartContainerRequest { ContainerId = id }, cancellationToken: ct).ConfigureAwait(false);
            Trace("container.start");
            _owner.Events.ContainerStarted(pod, c.Name);
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            _owner.Events.ContainerFailed(pod, c.Name, e.Status.Detail);
            _waiting[c.Name] = ("CreateContainerError", e.Status.Detail);
            Due(now + TimeSpan.FromSeconds(2));
            return false;
        }
        catch (InvalidOperationException e)
        {
            _owner.Events.ContainerFailed(pod, c.Name, e.Message);
            _waiting[c.Name] = ("CreateContainerConfigError", e.Message);
            Due(now + TimeSpan.FromSeconds(2));
            return false;
        }

        _waiting.Remove(c.Name);
        if (previous is not null)
        {
            _owner.Backoff.Next(key, now);
        }

        return true;
    }

    private static string Seconds(TimeSpan t) => t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes}m{t.Seconds}s" : $"{(int)t.TotalSeconds}s";

    /// <summary>imagePullPolicy as upstream: Always pulls; IfNotPresent pulls when absent; Never fails when absent.</summary>
    private async Task<bool> EnsureImageAsync(V1Pod pod, V1Container c, string pullKey, DateTimeOffset now, CancellationToken ct)
    {
        var image = c.Image;
        var tag = image.Contains('@', StringComparison.Ordinal) ? "digest" : image.LastIndexOf(':') > image.LastIndexOf('/') ? image[(image.LastIndexOf(':') + 1)..] : "latest";
        var policy = c.ImagePullPolicy ?? (tag == "latest" ? "Always" : "IfNotPresent");
        var present = await Images.ImageImporter.PresentAsync(_owner.Cri, image, ct).ConfigureAwait(false);
        if (policy == "Never" && !present)
        {
            _waiting[c.Name] = ("ErrImageNeverPull", $"Container image \"{image}\" is not present with pull policy of Never");
            _owner.Events.ImageNeverPull(pod, c.Name, _waiting[c.Name].Message);
            Due(now + TimeSpan.FromSeconds(5));
            return false;
        }

        if (policy == "Never" || (policy == "IfNotPresent" && present))
        {
            _owner.Events.ImagePresent(pod, c.Name, image);
            return true;
        }

        try
        {
            _owner.Events.ImagePulling(pod, c.Name, image);
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await _owner.Cri.Images.PullImageAsync(new PullImageRequest { Image = new ImageSpec { Image = image }, SandboxConfig = _sandboxConfig },
                deadline: DateTime.UtcNow.AddMinutes(5), cancellationToken: ct).ConfigureAwait(false);
            var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var size = (await _owner.Cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = image } }, cancellationToken: ct).ConfigureAwait(false)).Image?.Size ?? 0;
            _owner.Events.ImagePulled(pod, c.Name, image, took, size);
            return true;
        }
        catch (RpcException e) when (!ct.IsCancellationRequested)
        {
            _owner.Events.ImagePullFailed(pod, c.Name, image, e.Status.Detail);
            _owner.Backoff.Next(pullKey, now);
            _waiting[c.Name] = ("ErrImagePull", e.Status.Detail);
            Due(now + _owner.Backoff.Delay(pullKey));
            return false;
        }
    }

    /// <summary>The container's mounts: its volumeMounts (subPath/subPathExpr), the pod's <c>/etc/hosts</c> and the termination-message file.</summary>
    private List<Mount> Mounts(V1Pod pod, V1Container c, IReadOnlyDictionary<string, string> volumes, IReadOnlyList<KeyValuePair<string, string>> env, int attempt)
    {
        var mounts = new List<Mount>();
        var vars = env.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var m in c.VolumeMounts ?? [])
        {
            if (!volumes.TryGetValue(m.Name, out var host))
            {
                throw new InvalidOperationException($"volume \"{m.Name}\" is not defined or cannot be mounted");
            }

            var sub = m.SubPath is { Length: > 0 } sp ? sp : m.SubPathExpr is { Length: > 0 } se ? LiteralEnvResolver.Expand(se, vars) : null;
            if (sub is not null)
            {
                if (Path.IsPathRooted(sub) || sub.Split('/').Contains(".."))
                {
                    throw new InvalidOperationException($"subPath \"{sub}\" must be a relative path without \"..\"");
                }

                host = Path.Combine(host, sub);
                if (!File.Exists(host) && !Directory.Exists(host))
                {
                    Directory.CreateDirectory(host);
                }
            }

            mounts.Add(new Mount
            {
                ContainerPath = m.MountPath,
                HostPath = host,
                Readonly = m.ReadOnlyProperty == true,
                Propagation = m.MountPropagation switch
                {
                    "HostToContainer" => MountPropagation.PropagationHostToContainer,
                    "Bidirectional" => MountPropagation.PropagationBidirectional,
                    _ => MountPropagation.PropagationPrivate,
                },
            });
        }

        IReadOnlyList<string> podIps = _podIp is null ? [] : [_podIp];
        if (PodHostsFile.Mounted(c, podIps))
        {
            var content = PodHostsFile.Content(pod, podIps, _owner.Options.ClusterDomain, NodeHostsFile());
            mounts.Add(new Mount { ContainerPath = PodHostsFile.ContainerPath, HostPath = PodHostsFile.Write(_owner.Volumes.PodDirectory(Uid), content) });
        }

        var termPath = c.TerminationMessagePath ?? "/dev/termination-log";
        if (termPath.Length > 0 && mounts.All(m => m.ContainerPath != termPath))
        {
            var dir = Path.Combine(_owner.Volumes.PodDirectory(Uid), "containers", c.Name);
            Directory.CreateDirectory(dir);
            var file = Path.Combine(dir, attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
            File.WriteAllBytes(file, []);
            File.SetUnixFileMode(file, (UnixFileMode)0b110_110_110);
            mounts.Add(new Mount { ContainerPath = termPath, HostPath = file });
        }

        return mounts;
    }

    /// <summary>The node's <c>/etc/hosts</c>, which a pod on the host network sees (empty when unreadable).</summary>
    private static string NodeHostsFile()
    {
        try
        {
            return File.ReadAllText(PodHostsFile.ContainerPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>Liveness/startup failures: stop the container (it is then restarted by restartPolicy).</summary>
    private async Task KillUnhealthyAsync(V1Pod pod, Dictionary<string, List<Instance>> instances, CancellationToken ct)
    {
        foreach (var (id, failure) in _kills.ToArray())
        {
            _kills.TryRemove(id, out _);
            var running = instances.Values.Select(l => l[0]).FirstOrDefault(i => i.Id == id && i.State == ContainerState.ContainerRunning);
            if (running is null)
            {
                continue;
            }

            var c = AllContainers(pod).FirstOrDefault(x => x.Name == failure.ContainerName);
            var probe = failure.Kind == "Startup" ? c?.StartupProbe : c?.LivenessProbe;
            var grace = probe?.TerminationGracePeriodSeconds ?? pod.Spec.TerminationGracePeriodSeconds ?? 30;
            await StopContainerAsync(pod, c, id, grace, ct, failure.Kind).ConfigureAwait(false);
        }
    }

    /// <summary>preStop hook, then StopContainer with what is left of the grace period (SIGTERM, then SIGKILL).</summary>
    /// <remarks>Records <c>Killing</c> (with the failed probe's kind when <paramref name="probeKind"/> is given).</remarks>
    private async Task StopContainerAsync(V1Pod pod, V1Container? c, string id, long grace, CancellationToken ct, string? probeKind = null)
    {
        var started = _owner.Options.TimeProvider.GetUtcNow();
        if (c is not null)
        {
            _owner.Events.ContainerKilling(pod, c.Name, probeKind);
        }

        if (c?.Lifecycle?.PreStop is { } hook && grace > 0)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(grace));
            try
            {
                if (hook.Exec?.Command is { Count: > 0 } cmd)
                {
                    await new Runtime.CriContainerExec(_owner.Cri).ExecSyncAsync(id, [.. cmd], TimeSpan.FromSeconds(grace), timeout.Token).ConfigureAwait(false);
                }
                else if (hook.HttpGet is { } get)
                {
                    var host = get.Host is { Length: > 0 } h ? h : _podIp ?? "127.0.0.1";
                    var port = Port(get.Port, c);
                    using var http = new HttpClient();
                    using var _ = await http.GetAsync(new Uri($"{(get.Scheme ?? "HTTP").ToLowerInvariant()}://{host}:{port}{get.Path ?? "/"}"), timeout.Token).ConfigureAwait(false);
                }
                else if (hook.Sleep is { } sleep)
                {
                    await Task.Delay(TimeSpan.FromSeconds(Math.Min(sleep.Seconds, grace)), _owner.Options.TimeProvider, timeout.Token).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is RpcException or HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                PodWorkers.LogFailed(_owner.Logger, Key, "preStop hook of " + c.Name, e.Message);
                _owner.Events.PreStopHookFailed(pod, c.Name, e is RpcException r ? r.Status.Detail : e.Message);
            }
        }

        var left = Math.Max(0, grace - (long)(_owner.Options.TimeProvider.GetUtcNow() - started).TotalSeconds);
        try
        {
            await _owner.Cri.Runtime.StopContainerAsync(new StopContainerRequest { ContainerId = id, Timeout = left }, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // Gone already.
        }
    }

    private static int Port(k8s.Models.IntOrString port, V1Container c)
    {
        var v = port.Value;
        return int.TryParse(v, out var n) ? n : c.Ports?.FirstOrDefault(p => p.Name == v)?.ContainerPort ?? 80;
    }

    /// <summary>Stops every running container (app containers, then sidecars in reverse) in parallel, then the sandbox.</summary>
    private async Task KillPodAsync(V1Pod pod, long grace, CancellationToken ct, bool removeSandbox = true)
    {
        var instances = await ListAsync(ct).ConfigureAwait(false);
        var running = instances.Values.Select(l => l[0]).Where(i => i.State is ContainerState.ContainerRunning or ContainerState.ContainerCreated).ToList();
        var specs = AllContainers(pod).ToDictionary(c => c.Name, StringComparer.Ordinal);
        var sidecars = running.Where(i => specs.TryGetValue(i.Name, out var c) && c.RestartPolicy == "Always" && (pod.Spec.InitContainers?.Contains(c) ?? false)).ToList();
        await Task.WhenAll(running.Except(sidecars).Select(i => StopContainerAsync(pod, specs.GetValueOrDefault(i.Name), i.Id, grace, ct))).ConfigureAwait(false);
        foreach (var s in Enumerable.Reverse(sidecars))
        {
            await StopContainerAsync(pod, specs.GetValueOrDefault(s.Name), s.Id, Math.Min(grace, 2), ct).ConfigureAwait(false);
        }

        if (SandboxId is not null || removeSandbox)
        {
            foreach (var s in await SandboxesAsync(ct).ConfigureAwait(false))
            {
                await _owner.Cri.Runtime.StopPodSandboxAsync(new StopPodSandboxRequest { PodSandboxId = s.Id }, cancellationToken: ct).ConfigureAwait(false);
                if (removeSandbox)
                {
                    await _owner.Cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = s.Id }, cancellationToken: ct).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>Removes the pod's sandboxes (and with them its containers).</summary>
    private async Task RemoveSandboxesAsync(CancellationToken ct)
    {
        foreach (var s in await SandboxesAsync(ct).ConfigureAwait(false))
        {
            await _owner.Cri.Runtime.RemovePodSandboxAsync(new RemovePodSandboxRequest { PodSandboxId = s.Id }, cancellationToken: ct).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<PodSandbox>> SandboxesAsync(CancellationToken ct)
    {
        var filter = new PodSandboxFilter();
        filter.LabelSelector[PodConfigFactory.PodUidLabel] = Uid;
        return (await _owner.Cri.Runtime.ListPodSandboxAsync(new ListPodSandboxRequest { Filter = filter }, cancellationToken: ct).ConfigureAwait(false)).Items;
    }

    private Task CleanUpAsync(CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        _owner.Probes.Remove(Uid);
        _owner.Backoff.Forget(Uid + "/");
        _owner.Volumes.TearDown(Uid);
        return Task.CompletedTask;
    }

    /// <summary>The kubelet's final delete: grace 0 with the pod's uid as precondition.</summary>
    private async Task DeleteAsync(V1Pod pod, CancellationToken ct)
    {
        try
        {
            await _owner.Client.CoreV1().Pods(pod.Metadata.NamespaceProperty).DeleteAsync(pod.Metadata.Name, new DeleteOptions { GracePeriodSeconds = 0, PreconditionUid = Uid }, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e) || ApiErrors.IsConflict(e))
        {
            // Gone already, or a new pod of the same name.
        }
    }

    /// <summary>Removes exited instances older than the newest two of each container (upstream keeps the last one for --previous).</summary>
    private async Task CollectExitedAsync(Dictionary<string, List<Instance>> instances, CancellationToken ct)
    {
        foreach (var l in instances.Values)
        {
            foreach (var old in l.Skip(2).Where(i => i.Exited))
            {
                try
                {
                    await _owner.Cri.Runtime.RemoveContainerAsync(new RemoveContainerRequest { ContainerId = old.Id }, cancellationToken: ct).ConfigureAwait(false);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
                {
                    // Gone already.
                }
            }
        }
    }
}
