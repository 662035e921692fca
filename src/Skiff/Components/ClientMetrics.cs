using Prometheus;
using Skiff.ApiServer.Metrics;

namespace Skiff.Components;

/// <summary>
/// Publishes the client SDK's System.Diagnostics.Metrics instruments (meters <c>Skiff.Client.*</c>: work queues, REST
/// client, leader election) the scheduler's (<c>Skiff.Scheduler</c>) and the cluster DNS's (<c>Skiff.Dns</c>, CoreDNS's names) into a prometheus-net registry under upstream's names (<see cref="MeterBridge"/>).
/// </summary>
internal static class ClientMetrics
{
    /// <summary>Starts publishing into <paramref name="registry"/>; dispose to stop.</summary>
    public static IDisposable Bridge(CollectorRegistry registry) => new MeterBridge(registry, "Skiff.Client", "Skiff.Scheduler", "Skiff.Dns");
}
