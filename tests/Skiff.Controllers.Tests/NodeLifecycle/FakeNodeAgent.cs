using System.Globalization;
using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Controllers.Tests.NodeLifecycle;

/// <summary>
/// Plays a node's kubelet for the node lifecycle tests: registers the node, posts its Ready condition and renews its
/// Lease in <c>kube-node-lease</c>; <see cref="StartHeartbeats"/> keeps renewing the Lease on a timer until disposed
/// (the kubelet's own loop, not a test synchronisation).
/// </summary>
internal sealed class FakeNodeAgent(Clientset clientset, string name) : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    public string Name => name;

    /// <summary>Creates the node with <paramref name="labels"/>, a Ready condition of <paramref name="ready"/> and a Lease.</summary>
    public async Task RegisterAsync(string ready = "True", IDictionary<string, string>? labels = null)
    {
        await clientset.CoreV1().Nodes().CreateAsync(new V1Node { Metadata = new V1ObjectMeta { Name = name, Labels = labels ?? new Dictionary<string, string>() } });
        await PostStatusAsync(ready);
        try
        {
            await clientset.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "kube-node-lease" } });
        }
        catch (KubernetesApiException e) when (e.IsAlreadyExists)
        {
        }

        await clientset.CoordinationV1().Leases("kube-node-lease").CreateAsync(new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1LeaseSpec { HolderIdentity = name, LeaseDurationSeconds = 40, RenewTime = DateTime.UtcNow },
        });
    }

    /// <summary>Posts the Ready condition with a fresh heartbeat (a transition when the status changed).</summary>
    public async Task PostStatusAsync(string ready, string reason = "KubeletReady")
    {
        var now = DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        var patch = new JsonObject
        {
            ["status"] = new JsonObject
            {
                ["conditions"] = new JsonArray(new JsonObject
                {
                    ["type"] = "Ready", ["status"] = ready, ["reason"] = reason, ["message"] = "kubelet says " + ready,
                    ["lastHeartbeatTime"] = now, ["lastTransitionTime"] = now,
                }),
            },
        };
        await clientset.CoreV1().Nodes().PatchAsync(name, PatchType.Merge, patch, subresource: "status");
    }

    /// <summary>Renews the Lease once.</summary>
    public async Task RenewAsync(CancellationToken ct = default)
    {
        var leases = clientset.CoordinationV1().Leases("kube-node-lease");
        var lease = await leases.GetAsync(name, ct: ct);
        lease.Spec.RenewTime = DateTime.UtcNow;
        await leases.UpdateAsync(lease, ct: ct);
    }

    /// <summary>Renews the Lease every <paramref name="interval"/> until disposed.</summary>
    public void StartHeartbeats(TimeSpan interval)
    {
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval);
            try
            {
                while (await timer.WaitForNextTickAsync(_stop.Token))
                {
                    try
                    {
                        await RenewAsync(_stop.Token);
                    }
                    catch (KubernetesApiException)
                    {
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
