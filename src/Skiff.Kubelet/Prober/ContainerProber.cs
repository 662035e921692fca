using k8s.Models;
using Skiff.Client.Events;
using Skiff.Kubelet.Env;

namespace Skiff.Kubelet.Prober;

/// <summary>
/// Runs one probe of a container (upstream <c>prober.probe</c>): the handler by kind, up to three attempts while the
/// handler errors, and the pod events: <c>Unhealthy</c> "Liveness probe failed: &lt;output&gt;" on a failure,
/// <c>ProbeWarning</c> "Readiness probe warning: &lt;output&gt;" on a warning (counted as success) and <c>Unhealthy</c>
/// "... probe errored and resulted in unknown state: ..." when it could not be run (then the result is thrown away).
/// </summary>
internal sealed class ContainerProber(IContainerExec exec, HttpGetProbe http, TimeProvider time, EventRecorder? events)
{
    private const int MaxRetries = 3;

    /// <summary>Success or Failure with the probe's output; null when the probe errored (the worker ignores it).</summary>
    public async Task<ProbeOutcome?> ProbeAsync(ProbeKind kind, V1Probe probe, V1Pod pod, string? podIp, V1Container container, string containerId, CancellationToken ct)
    {
        var outcome = ProbeOutcome.Errored("no probe handler");
        for (var i = 0; i < MaxRetries; i++)
        {
            outcome = await RunAsync(probe, pod, podIp, container, containerId, ct).ConfigureAwait(false);
            if (outcome.Error is null)
            {
                break;
            }
        }

        switch (outcome)
        {
            case { Error: { } error }:
                Record(pod, container, "Unhealthy", $"{kind} probe errored and resulted in unknown state: {error}");
                return null;
            case { Result: ProbeResult.Success }:
                return outcome;
            case { Result: ProbeResult.Warning }:
                Record(pod, container, "ProbeWarning", $"{kind} probe warning: {outcome.Output}");
                return outcome with { Result = ProbeResult.Success };
            case { Result: ProbeResult.Failure }:
                Record(pod, container, "Unhealthy", $"{kind} probe failed: {outcome.Output}");
                return outcome;
            default:
                return outcome with { Result = ProbeResult.Failure };
        }
    }

    private async Task<ProbeOutcome> RunAsync(V1Probe probe, V1Pod pod, string? podIp, V1Container container, string containerId, CancellationToken ct)
    {
        var timeout = TimeSpan.FromSeconds(Math.Max(1, probe.TimeoutSeconds ?? 1));
        if (probe.Exec is { } e)
        {
            var command = EnvExpansion.ExpandCommandOnlyStatic(e.Command, container.Env);
            return await ExecProbe.RunAsync(exec, containerId, command, timeout, ct).ConfigureAwait(false);
        }

        if (probe.HttpGet is { } get)
        {
            if (!HttpGetProbe.TryBuildUri(get, container, podIp, out var uri, out var error))
            {
                return ProbeOutcome.Errored(error);
            }

            return await http.RunAsync(uri!, [.. get.HttpHeaders ?? []], timeout, ct).ConfigureAwait(false);
        }

        if (probe.TcpSocket is { } tcp)
        {
            if (!ContainerPorts.TryResolve(tcp.Port, container, out var port, out var error))
            {
                return ProbeOutcome.Errored(error);
            }

            var host = string.IsNullOrEmpty(tcp.Host) ? podIp ?? string.Empty : tcp.Host;
            return await TcpSocketProbe.RunAsync(host, port, timeout, time, ct).ConfigureAwait(false);
        }

        if (probe.Grpc is { } grpc)
        {
            return await GrpcProbe.RunAsync(podIp ?? string.Empty, grpc.Port, grpc.Service ?? string.Empty, timeout, time, ct).ConfigureAwait(false);
        }

        return ProbeOutcome.Errored($"missing probe handler for {pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}({pod.Metadata.Uid}):{container.Name}");
    }

    private void Record(V1Pod pod, V1Container container, string reason, string message) =>
        events?.Event(pod, Events.KubeletEvents.FieldPath(pod, container.Name), EventRecorder.Warning, reason, message);
}
