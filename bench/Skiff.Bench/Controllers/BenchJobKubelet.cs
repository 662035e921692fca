using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Bench.Controllers;

/// <summary>
/// A fake kubelet for the Job benchmark: every new pod is reported Succeeded at once (its container terminated with
/// exit code 0, Ready False), by a few parallel writers, through the status subresource.
/// </summary>
internal sealed class BenchJobKubelet : IAsyncDisposable
{
    private const int Writers = 8;
    private readonly Clientset _clientset;
    private readonly SharedIndexInformer<V1Pod> _informer;
    private readonly Channel<V1Pod> _work = Channel.CreateUnbounded<V1Pod>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private readonly Task[] _writers;

    private BenchJobKubelet(Clientset clientset)
    {
        _clientset = clientset;
        _informer = new SharedIndexInformer<V1Pod>(clientset.CoreV1().Pods(), new SharedInformerOptions { Name = "bench-job-kubelet" });
        _informer.AddEventHandler(new ResourceEventHandler<V1Pod>((p, _) => Offer(p), (_, p) => Offer(p)));
        _run = _informer.RunAsync(_stop.Token);
        _writers = [.. Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteAsync))];
    }

    public static async Task<BenchJobKubelet> StartAsync(Clientset clientset)
    {
        var k = new BenchJobKubelet(clientset);
        await k._informer.WaitForCacheSyncAsync().WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        return k;
    }

    private void Offer(V1Pod pod)
    {
        if (pod.Metadata.DeletionTimestamp is null && pod.Status?.Phase is null or "Pending")
        {
            _work.Writer.TryWrite(pod);
        }
    }

    private async Task WriteAsync()
    {
        try
        {
            await foreach (var pod in _work.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
                var status = new JsonObject
                {
                    ["status"] = new JsonObject
                    {
                        ["phase"] = "Succeeded",
                        ["startTime"] = now,
                        ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "False", ["reason"] = "PodCompleted", ["lastTransitionTime"] = now }),
                        ["containerStatuses"] = new JsonArray(new JsonObject
                        {
                            ["name"] = pod.Spec.Containers[0].Name,
                            ["image"] = pod.Spec.Containers[0].Image,
                            ["imageID"] = "",
                            ["ready"] = false,
                            ["restartCount"] = 0,
                            ["state"] = new JsonObject { ["terminated"] = new JsonObject { ["exitCode"] = 0, ["reason"] = "Completed", ["startedAt"] = now, ["finishedAt"] = now } },
                        }),
                    },
                };
                try
                {
                    await _clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty)
                        .PatchAsync(pod.Metadata.Name, PatchType.Merge, status, subresource: "status", ct: _stop.Token).ConfigureAwait(false);
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

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _work.Writer.TryComplete();
        try
        {
            await Task.WhenAll([_run, .. _writers]).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _clientset.Dispose();
    }
}
