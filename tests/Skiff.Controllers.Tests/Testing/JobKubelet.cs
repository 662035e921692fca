using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Controllers.Tests.Testing;

/// <summary>
/// A test-only kubelet for batch workloads: watches every pod and writes, for each pod not being deleted and not yet
/// terminal, the status a kubelet would report for the <see cref="PodOutcome"/> <see cref="Outcome"/> picks (null: the
/// pod stays as it is): Running with ready containers, or Succeeded/Failed with every container terminated with the
/// outcome's exit code (finishedAt now, the Ready condition False). Pods are never bound, so the API server deletes
/// them at once (no grace period), as it does unscheduled pods. Also records the most pods it saw active at once per
/// namespace.
/// </summary>
public sealed class JobKubelet : IAsyncDisposable
{
    private readonly Clientset _clientset;
    private readonly SharedIndexInformer<V1Pod> _informer;
    private readonly Channel<V1Pod> _work = Channel.CreateUnbounded<V1Pod>();
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, int> _maxActive = new(StringComparer.Ordinal);
    private readonly Task _run;
    private readonly Task _loop;
    private volatile Func<V1Pod, PodOutcome?> _outcome;

    private JobKubelet(Clientset clientset, Func<V1Pod, PodOutcome?> outcome, TimeProvider? time)
    {
        _clientset = clientset;
        _outcome = outcome;
        _time = time ?? TimeProvider.System;
        _informer = new SharedIndexInformer<V1Pod>(clientset.CoreV1().Pods(), new SharedInformerOptions { Name = "job-kubelet" });
        _informer.AddEventHandler(new ResourceEventHandler<V1Pod>((p, _) => Offer(p), (_, p) => Offer(p)));
        _run = _informer.RunAsync(_stop.Token);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Which outcome each pod gets; settable while running (then call <see cref="Reevaluate"/>).</summary>
    public Func<V1Pod, PodOutcome?> Outcome
    {
        get => _outcome;
        set => _outcome = value;
    }

    /// <summary>Starts it over <paramref name="clientset"/>; returns once its cache has synced.</summary>
    public static async Task<JobKubelet> StartAsync(Clientset clientset, Func<V1Pod, PodOutcome?> outcome, TimeProvider? time = null)
    {
        var k = new JobKubelet(clientset, outcome, time);
        await k._informer.WaitForCacheSyncAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return k;
    }

    /// <summary>The most pods of <paramref name="ns"/> seen active (not terminal, not being deleted) at once.</summary>
    public int MaxActive(string ns) => _maxActive.GetValueOrDefault(ns);

    /// <summary>Reconsiders every cached pod (after <see cref="Outcome"/> changed).</summary>
    public void Reevaluate()
    {
        foreach (var p in _informer.Lister.List())
        {
            Offer(p);
        }
    }

    private static bool IsActive(V1Pod p) => p.Metadata.DeletionTimestamp is null && p.Status?.Phase is not ("Succeeded" or "Failed");

    private void Offer(V1Pod pod)
    {
        var ns = pod.Metadata.NamespaceProperty;
        var active = _informer.Lister.List(ns).Count(IsActive);
        _maxActive.AddOrUpdate(ns, active, (_, old) => Math.Max(old, active));
        if (IsActive(pod) && Wanted(pod, _outcome(pod)))
        {
            _work.Writer.TryWrite(pod);
        }
    }

    /// <summary>Whether the pod is not yet in the outcome's state.</summary>
    private static bool Wanted(V1Pod pod, PodOutcome? outcome) => outcome is not null &&
        (outcome.Phase != "Running" || pod.Status?.Phase != "Running" || IsReady(pod) != outcome.Ready);

    private static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private async Task LoopAsync()
    {
        try
        {
            await foreach (var pod in _work.Reader.ReadAllAsync(_stop.Token))
            {
                var current = _informer.Lister.Get(pod.Metadata.NamespaceProperty, pod.Metadata.Name);
                if (current is null || current.Metadata.Uid != pod.Metadata.Uid || !IsActive(current) || _outcome(current) is not { } outcome || !Wanted(current, outcome))
                {
                    continue;
                }

                try
                {
                    await _clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty)
                        .PatchAsync(pod.Metadata.Name, PatchType.Merge, Status(current, outcome), subresource: "status", ct: _stop.Token);
                }
                catch (KubernetesApiException e) when (e.IsNotFound || e.IsConflict)
                {
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }

    private JsonObject Status(V1Pod pod, PodOutcome outcome)
    {
        var now = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var running = outcome.Phase == "Running";
        var ready = running && outcome.Ready ? "True" : "False";
        JsonObject Condition(string type, string status, string? reason = null) =>
            new() { ["type"] = type, ["status"] = status, ["reason"] = reason, ["lastTransitionTime"] = now, ["lastProbeTime"] = null };
        var reason = running ? null : "PodCompleted";
        var conditions = new JsonArray(Condition("PodScheduled", "True"), Condition("Initialized", "True"),
            Condition("ContainersReady", ready, reason), Condition("Ready", ready, reason));
        foreach (var c in outcome.Conditions ?? [])
        {
            conditions.Add(Condition(c.Type, c.Status, c.Reason));
        }

        var containers = new JsonArray();
        foreach (var c in pod.Spec?.Containers ?? [])
        {
            JsonObject state = running
                ? new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } }
                : new JsonObject
                {
                    ["terminated"] = new JsonObject
                    {
                        ["exitCode"] = outcome.ExitCode,
                        ["reason"] = outcome.ExitCode == 0 ? "Completed" : "Error",
                        ["startedAt"] = now,
                        ["finishedAt"] = now,
                    },
                };
            containers.Add(new JsonObject
            {
                ["name"] = c.Name,
                ["image"] = c.Image,
                ["imageID"] = "fake://" + c.Image,
                ["containerID"] = "fake://" + pod.Metadata.Uid + "/" + c.Name,
                ["ready"] = running && outcome.Ready,
                ["started"] = running,
                ["restartCount"] = 0,
                ["state"] = state,
            });
        }

        var status = new JsonObject
        {
            ["phase"] = outcome.Phase,
            ["hostIP"] = "10.0.0.1",
            ["podIP"] = "10.244.0.10",
            ["conditions"] = conditions,
            ["containerStatuses"] = containers,
        };
        if (pod.Status?.StartTime is null)
        {
            status["startTime"] = now;
        }

        return new JsonObject { ["status"] = status };
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _work.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_run, _loop);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }
}
