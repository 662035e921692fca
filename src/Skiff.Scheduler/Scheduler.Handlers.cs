using System.Diagnostics;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Events;
using Skiff.Client.Rest;
using Skiff.Scheduler.Framework;
using Skiff.Scheduler.Queue;

namespace Skiff.Scheduler;

/// <summary>Informer handlers, the binding cycle and failure handling.</summary>
public sealed partial class Scheduler
{
    private static bool Assigned(V1Pod pod) => !string.IsNullOrEmpty(pod.Spec?.NodeName);

    private static bool Terminal(V1Pod pod) => pod.Status?.Phase is "Succeeded" or "Failed";

    private bool Responsible(V1Pod pod) => _profiles.ContainsKey(SchedulerNameOf(pod));

    private void OnPodAdd(V1Pod pod)
    {
        if (Assigned(pod))
        {
            if (!Terminal(pod))
            {
                Cache.AddPod(pod);
                MoveFor(ClusterEvent.AssignedPodAdd);
            }
        }
        else if (Responsible(pod) && pod.Metadata.DeletionTimestamp is null)
        {
            Queue.Add(pod);
            MarkIfGated(pod);
        }
    }

    private void OnPodUpdate(V1Pod oldPod, V1Pod newPod)
    {
        if (Assigned(newPod))
        {
            if (!Assigned(oldPod))
            {
                Queue.Delete(newPod);
            }

            if (Terminal(newPod))
            {
                Cache.RemovePod(newPod);
                MoveFor(ClusterEvent.AssignedPodDelete);
            }
            else
            {
                Cache.UpdatePod(newPod);
                if (!Terminal(oldPod) && !SameLabels(oldPod.Metadata.Labels, newPod.Metadata.Labels))
                {
                    MoveFor(ClusterEvent.AssignedPodUpdate);
                }
            }
        }
        else if (Responsible(newPod))
        {
            if (newPod.Metadata.DeletionTimestamp is not null)
            {
                Queue.Delete(newPod);
            }
            else if (oldPod.Metadata.ResourceVersion != newPod.Metadata.ResourceVersion)
            {
                Queue.Update(oldPod, newPod, Changed(oldPod, newPod));
                MarkIfGated(newPod);
            }
        }
    }

    /// <summary>True when both label sets hold the same pairs (null and empty are the same: a pod without labels).</summary>
    internal static bool SameLabels(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        return a is null || a.All(kv => b!.TryGetValue(kv.Key, out var v) && v == kv.Value);
    }

    /// <summary>Upstream's <c>isPodUpdated</c>: something besides status, resourceVersion and managed fields changed.</summary>
    private static bool Changed(V1Pod a, V1Pod b) =>
        k8s.KubernetesJson.Serialize(a.Spec) != k8s.KubernetesJson.Serialize(b.Spec)
        || k8s.KubernetesJson.Serialize(a.Metadata.Labels) != k8s.KubernetesJson.Serialize(b.Metadata.Labels)
        || k8s.KubernetesJson.Serialize(a.Metadata.Annotations) != k8s.KubernetesJson.Serialize(b.Metadata.Annotations);

    private void OnPodDelete(V1Pod pod)
    {
        foreach (var profile in _profiles.Values)
        {
            profile.WaitingPods.Get(pod.Metadata.Uid)?.Reject("", "pod deleted while waiting on permit");
        }

        if (Assigned(pod))
        {
            Cache.RemovePod(pod);
            MoveFor(ClusterEvent.AssignedPodDelete);
        }
        else
        {
            Queue.Delete(pod);
        }
    }

    /// <summary>Moves back the unschedulable pods whose rejecting plugins registered for <paramref name="e"/>.</summary>
    private void MoveFor(ClusterEvent e) => Queue.MoveAllToActiveOrBackoff(i => EventsToRegister.Interested(i.UnschedulablePlugins, e));

    private void OnNodeAdd(V1Node node)
    {
        Cache.AddNode(node);
        MoveFor(ClusterEvent.Node);
    }

    /// <summary>The binding cycle (upstream <c>bindingCycle</c>): PreBind, then the first Bind plugin that does not skip.</summary>
    private async Task BindAsync(Profile profile, CycleState state, QueuedPodInfo info, long cycle, string host, long start, CancellationToken ct)
    {
        await Task.Yield();
        var pod = info.Pod;
        Status? failure = null;
        try
        {
            if (profile.WaitingPods.Get(pod.Metadata.Uid) is { } waiting)
            {
                // Upstream's WaitOnPermit.
                try
                {
                    failure = await waiting.Completion.WaitAsync(ct).ConfigureAwait(false);
                }
                finally
                {
                    profile.WaitingPods.Remove(pod.Metadata.Uid);
                }

                if (failure is not null)
                {
                    Unreserve(profile, state, pod, host);
                    Cache.ForgetPod(pod);
                    SchedulerMetrics.Attempt("unschedulable", profile.SchedulerName, Stopwatch.GetElapsedTime(start));
                    await HandleFailureAsync(info, cycle, failure.Message, null, unschedulable: failure.IsRejected, ct, [failure.Plugin]).ConfigureAwait(false);
                    return;
                }
            }

            foreach (var p in profile.PreBind)
            {
                failure = await p.PreBindAsync(state, pod, host, ct).ConfigureAwait(false);
                if (failure is not null)
                {
                    failure.Plugin = p.Name;
                    break;
                }
            }

            if (failure is null)
            {
                failure = Status.Skip;
                foreach (var b in profile.Bind)
                {
                    failure = await b.BindAsync(state, pod, host, ct).ConfigureAwait(false);
                    if (failure?.Code != Code.Skip)
                    {
                        break;
                    }
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            failure = Status.Error(e.Message);
        }
        catch (OperationCanceledException)
        {
            Cache.ForgetPod(pod);
            Queue.Done(info.Key);
            return;
        }

        if (failure is null)
        {
            Queue.Done(info.Key);
            SchedulerMetrics.Attempt("scheduled", profile.SchedulerName, Stopwatch.GetElapsedTime(start));
            LogBound(info.Key, host);
            _events.Event(pod, EventRecorder.Normal, "Scheduled", $"Successfully assigned {info.Key} to {host}");
            return;
        }

        Unreserve(profile, state, pod, host);
        Cache.ForgetPod(pod);
        SchedulerMetrics.Attempt("error", profile.SchedulerName, Stopwatch.GetElapsedTime(start));
        var message = failure.Code == Code.Skip ? "no bind plugin bound the pod" : "Binding rejected: " + failure.Message;
        await HandleFailureAsync(info, cycle, message, null, unschedulable: false, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Upstream's <c>handleSchedulingFailure</c>: a <c>FailedScheduling</c> warning, <c>PodScheduled=False</c> (reason
    /// <c>Unschedulable</c>, or <c>SchedulerError</c> for errors) plus <c>nominatedNodeName</c>, and back to the queue.
    /// </summary>
    /// <param name="rejectors">The plugins that rejected the pod; a cluster event moves it back only if one of them
    /// registered for it (see <see cref="MoveFor"/>). None: any event moves it.</param>
    private async Task HandleFailureAsync(QueuedPodInfo info, long cycle, string message, string? nominated, bool unschedulable, CancellationToken ct,
        IEnumerable<string>? rejectors = null)
    {
        var pod = info.Pod;
        info.UnschedulablePlugins.Clear();
        info.UnschedulablePlugins.UnionWith((rejectors ?? []).Where(r => r.Length > 0));
        Queue.AddUnschedulableIfNotPresent(info, cycle, unschedulable);
        LogUnschedulable(info.Key, message);
        _events.Event(pod, EventRecorder.Warning, "FailedScheduling", message);
        var reason = unschedulable ? "Unschedulable" : "SchedulerError";
        var current = pod.Status?.Conditions?.FirstOrDefault(c => c.Type == "PodScheduled");
        if (current is { Status: "False" } && current.Reason == reason && current.Message == message && nominated is null)
        {
            return;
        }

        var patch = new Dictionary<string, object?>
        {
            ["status"] = new Dictionary<string, object?>
            {
                ["conditions"] = new[]
                {
                    new Dictionary<string, object?>
                    {
                        ["type"] = "PodScheduled",
                        ["status"] = "False",
                        ["reason"] = reason,
                        ["message"] = message,
                        ["lastProbeTime"] = null,
                        ["lastTransitionTime"] = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                    },
                },
                ["nominatedNodeName"] = nominated,
            },
        };
        if (nominated is null)
        {
            ((Dictionary<string, object?>)patch["status"]!).Remove("nominatedNodeName");
        }

        try
        {
            await _manager.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty)
                .PatchAsync(pod.Metadata.Name, PatchType.StrategicMerge, patch, subresource: "status", ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e)
        {
            LogStatusUpdateFailed(info.Key, e.Message);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "scheduler starting (profiles: {Profiles})")]
    private partial void LogStarting(string profiles);

    [LoggerMessage(Level = LogLevel.Debug, Message = "bound {Pod} to {Node}")]
    private partial void LogBound(string pod, string node);

    [LoggerMessage(Level = LogLevel.Debug, Message = "unable to schedule {Pod}: {Message}")]
    private partial void LogUnschedulable(string pod, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "updating the status of {Pod} failed: {Message}")]
    private partial void LogStatusUpdateFailed(string pod, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "post-filter for {Pod} failed: {Message}")]
    private partial void LogPostFilterFailed(string pod, string message);
}
