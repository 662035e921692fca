using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Skiff.Kubelet.Prober;

/// <summary>
/// The prober's instruments on meter <c>Skiff.Kubelet</c>: <c>prober_probe_total</c> (upstream's
/// <c>prober_probe_total{probe_type,result,container,pod,namespace,pod_uid}</c>, result one of successful, failed, unknown).
/// </summary>
internal static class ProberMetrics
{
    /// <summary>The kubelet's meter name.</summary>
    public const string MeterName = "Skiff.Kubelet";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Cumulative number of liveness, readiness or startup probes of a container by result.</summary>
    public static readonly Counter<long> ProbeTotal = Meter.CreateCounter<long>(
        "prober_probe_total", description: "Cumulative number of a liveness, readiness or startup probe for a container by result.");

    public static void Count(ProbeKind kind, ProbeResult result, string container, string pod, string ns, string podUid)
    {
        var label = result switch
        {
            ProbeResult.Success or ProbeResult.Warning => "successful",
            ProbeResult.Failure => "failed",
            _ => "unknown",
        };
        ProbeTotal.Add(1, new TagList
        {
            { "probe_type", kind.ToString() },
            { "result", label },
            { "container", container },
            { "pod", pod },
            { "namespace", ns },
            { "pod_uid", podUid },
        });
    }
}
