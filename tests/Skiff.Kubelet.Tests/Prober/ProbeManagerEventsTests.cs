using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Events;
using Skiff.Client.Typed;
using Skiff.Kubelet.Prober;
using Skiff.Kubelet.Tests.Testing;
using Xunit;

namespace Skiff.Kubelet.Tests.Prober;

/// <summary>The prober's pod events (written to a real API server) and its prober_probe_total counter.</summary>
public sealed class ProbeManagerEventsTests
{
    [Fact]
    public async Task LivenessFailure_WritesUnhealthyWithUpstreamsMessage_AndCountsProbeTotal()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var client = new Clientset(ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(cp.KubeconfigPath)) with { Qps = 0 });
        var ns = "probe-" + Guid.NewGuid().ToString("N")[..8];
        await client.CoreV1().Namespaces().CreateAsync(new V1Namespace { Metadata = new() { Name = ns } });
        var pod = await client.CoreV1().Pods(ns).CreateAsync(new V1Pod
        {
            Metadata = new() { Name = "web" },
            Spec = new V1PodSpec
            {
                Containers =
                [
                    new V1Container
                    {
                        Name = "app",
                        Image = "busybox",
                        LivenessProbe = new V1Probe { Exec = new V1ExecAction { Command = ["sh", "-c", "echo boom; exit 1"] }, FailureThreshold = 1, PeriodSeconds = 1 },
                        ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Port = "http" }, PeriodSeconds = 1 },
                    },
                ],
            },
        });

        var measurements = new ConcurrentQueue<(string Kind, string Result)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == "Skiff.Kubelet" && i.Name == "prober_probe_total")
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var t = tags.ToArray().ToDictionary(kv => kv.Key, kv => kv.Value as string);
            if (t["pod_uid"] == pod.Metadata.Uid && t["pod"] == "web" && t["namespace"] == ns && t["container"] == "app")
            {
                measurements.Enqueue((t["probe_type"]!, t["result"]!));
            }
        });
        listener.Start();

        await using var events = new EventRecorder(client, "kubelet", "node-1");
        var failed = new TaskCompletionSource<ProbeFailure>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (var m = new ProbeManager(new HostProcessExec(), new ProbeManagerOptions { Events = events }))
        {
            var readinessErrored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            m.Passed += p =>
            {
                if (p is { Key.Kind: ProbeKind.Readiness, Ran: ProbeResult.Unknown })
                {
                    readinessErrored.TrySetResult();
                }
            };
            m.Unhealthy += f => failed.TrySetResult(f);
            m.Sync(pod, "127.0.0.1", [new RunningContainer("app", "c1", DateTimeOffset.UtcNow)]);
            Assert.Equal("boom\n", (await failed.Task.WaitAsync(TimeSpan.FromSeconds(30))).Message);
            await readinessErrored.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        var list = await ListWatch.UntilAsync(client.CoreV1().Events(ns), es =>
            es.Any(e => e.Message == "Liveness probe failed: boom\n") && es.Any(e => e.Message?.StartsWith("Readiness probe errored", StringComparison.Ordinal) == true));
        var unhealthy = list.First(e => e.Message == "Liveness probe failed: boom\n");
        Assert.Equal(("Warning", "Unhealthy", "web", "kubelet"), (unhealthy.Type, unhealthy.Reason, unhealthy.InvolvedObject.Name, unhealthy.Source.Component));
        var errored = list.First(e => e.Message?.StartsWith("Readiness probe errored", StringComparison.Ordinal) == true);
        Assert.Equal("Readiness probe errored and resulted in unknown state: strconv.Atoi: parsing \"http\": invalid syntax", errored.Message);

        Assert.Contains(("Liveness", "failed"), measurements);
        Assert.Contains(("Readiness", "unknown"), measurements);
    }
}
