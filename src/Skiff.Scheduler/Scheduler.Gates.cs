using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Rest;

namespace Skiff.Scheduler;

/// <summary>Gated pods: the <c>PodScheduled=False</c>/<c>SchedulingGated</c> condition.</summary>
public sealed partial class Scheduler
{
    /// <summary>Upstream's message of the <c>SchedulingGated</c> condition.</summary>
    public const string SchedulingGatedMessage = "Scheduling is blocked due to non-empty scheduling gates";

    /// <summary>
    /// When the queue holds <paramref name="pod"/> back on a PreEnqueue gate and it lacks the <c>SchedulingGated</c>
    /// condition, sets it (upstream's API server sets it at creation; Skiff's scheduler fills it in when missing).
    /// </summary>
    private void MarkIfGated(V1Pod pod)
    {
        var key = pod.Metadata.NamespaceProperty + "/" + pod.Metadata.Name;
        if (!Queue.IsGated(key) || pod.Status?.Conditions?.Any(c => c.Type == "PodScheduled" && c.Reason == "SchedulingGated") == true)
        {
            return;
        }

        Track(MarkGatedAsync(pod, key));
    }

    private async Task MarkGatedAsync(V1Pod pod, string key)
    {
        await Task.Yield();
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
                        ["reason"] = "SchedulingGated",
                        ["message"] = SchedulingGatedMessage,
                        ["lastProbeTime"] = null,
                        ["lastTransitionTime"] = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                    },
                },
            },
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _manager.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty)
                .PatchAsync(pod.Metadata.Name, PatchType.StrategicMerge, patch, subresource: "status", ct: cts.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is KubernetesApiException or OperationCanceledException or HttpRequestException)
        {
            LogStatusUpdateFailed(key, e.Message);
        }
    }

    /// <summary>Keeps <paramref name="task"/> until it ends, so that <see cref="RunAsync"/> waits for it when stopping.</summary>
    private void Track(Task task)
    {
        lock (_bindingsLock)
        {
            _bindings.Add(task);
        }

        _ = task.ContinueWith(t =>
        {
            lock (_bindingsLock)
            {
                _bindings.Remove(t);
            }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
