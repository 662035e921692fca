using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Controllers.Tests.Testing;

/// <summary>
/// A test-only stand-in for kubelets (there is no scheduler or kubelet yet): watches every pod and writes, for each pod
/// not being deleted that <see cref="Predicate"/> accepts and that is not ready yet, the status a kubelet would
/// report once its containers run: phase Running, the PodScheduled, Initialized, ContainersReady and Ready conditions,
/// a running, ready container status per container, and startTime. Pods the predicate rejects stay as they are (so
/// tests can hold pods unready); <see cref="Reevaluate"/> reconsiders every cached pod after the predicate changed.
/// </summary>
public sealed class FakeKubelet : IAsyncDisposable
{
    private readonly Clientset _clientset;
    private readonly SharedIndexInformer<V1Pod> _informer;
    private readonly Channel<V1Pod> _work = Channel.CreateUnbounded<V1Pod>();
    private readonly CancellationTokenSource _stop = new();
    private readonly TimeProvider _time;
    private readonly Task _run;
    private readonly Task _loop;
    private volatile Func<V1Pod, bool> _predicate;

    private FakeKubelet(Clientset clientset, Func<V1Pod, bool>? predicate, TimeProvider? time)
    {
        _clientset = clientset;
        _predicate = predicate ?? (_ => true);
        _time = time ?? TimeProvider.System;
        _informer = new SharedIndexInformer<V1Pod>(clientset.CoreV1().Pods(), new SharedInformerOptions { Name = "fake-kubelet" });
        _informer.AddEventHandler(new ResourceEventHandler<V1Pod>((p, _) => Offer(p), (_, p) => Offer(p)));
        _run = _informer.RunAsync(_stop.Token);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Which pods to make ready; settable while running (then call <see cref="Reevaluate"/>).</summary>
    public Func<V1Pod, bool> Predicate
    {
        get => _predicate;
        set => _predicate = value;
    }

    /// <summary>How many status writes it has made.</summary>
    public int Readied => _readied;

    private int _readied;

    /// <summary>Starts a fake kubelet over <paramref name="clientset"/>; returns once its cache has synced.</summary>
    public static async Task<FakeKubelet> StartAsync(Clientset clientset, Func<V1Pod, bool>? predicate = null, TimeProvider? time = null)
    {
        var k = new FakeKubelet(clientset, predicate, time);
        await k._informer.WaitForCacheSyncAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return k;
    }

    /// <summary>Reconsiders every cached pod (after <see cref="Predicate"/> changed).</summary>
    public void Reevaluate()
    {
        foreach (var p in _informer.Lister.List())
        {
            Offer(p);
        }
    }

    private void Offer(V1Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp is null && !IsReady(pod) && _predicate(pod))
        {
            _work.Writer.TryWrite(pod);
        }
    }

    private static bool IsReady(V1Pod pod) => pod.Status?.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true;

    private async Task LoopAsync()
    {
        try
        {
            await foreach (var pod in _work.Reader.ReadAllAsync(_stop.Token))
            {
                var current = _informer.Lister.Get(pod.Metadata.NamespaceProperty, pod.Metadata.Name);
                if (current is null || current.Metadata.Uid != pod.Metadata.Uid || IsReady(current) || current.Metadata.DeletionTimestamp is not null || !_predicate(current))
                {
                    continue;
                }

                try
                {
                    await _clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty)
                        .PatchAsync(pod.Metadata.Name, PatchType.Merge, ReadyStatus(current), subresource: "status", ct: _stop.Token);
                    Interlocked.Increment(ref _readied);
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

    private JsonObject ReadyStatus(V1Pod pod)
    {
        var now = _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        JsonObject Condition(string type) => new() { ["type"] = type, ["status"] = "True", ["lastTransitionTime"] = now, ["lastProbeTime"] = null };
        var containers = new JsonArray();
        foreach (var c in pod.Spec?.Containers ?? [])
        {
            containers.Add(new JsonObject
            {
                ["name"] = c.Name,
                ["image"] = c.Image,
                ["imageID"] = "fake://" + c.Image,
                ["containerID"] = "fake://" + Guid.NewGuid().ToString("N"),
                ["ready"] = true,
                ["started"] = true,
                ["restartCount"] = 0,
                ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = now } },
            });
        }

        return new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["phase"] = "Running",
                ["startTime"] = now,
                ["hostIP"] = "10.0.0.1",
                ["podIP"] = "10.244.0.10",
                ["conditions"] = new JsonArray(Condition("PodScheduled"), Condition("Initialized"), Condition("ContainersReady"), Condition("Ready")),
                ["containerStatuses"] = containers,
            },
        };
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
