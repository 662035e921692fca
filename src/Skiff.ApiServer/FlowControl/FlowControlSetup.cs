using Microsoft.Extensions.Logging;
using Skiff.ApiServer.Endpoints;
using Skiff.ApiServer.Registry;
using Skiff.Storage;

namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Builds API Priority and Fairness at API server start: bootstrap ensurer (then again every
/// <see cref="FlowControlSettings.EnsurePeriod"/>), configuration follower, controller, its borrowing loop and the object
/// counts for the LIST estimate.
/// </summary>
internal static class FlowControlSetup
{
    /// <summary>
    /// Ensures the bootstrap configuration and follows the stored one when flowcontrol.apiserver.k8s.io/v1 is served
    /// (otherwise the controller runs on the bootstrap configuration alone); returns the controller once it has the
    /// stored configuration. Null when <see cref="FlowControlSettings.Enabled"/> is off.
    /// </summary>
    public static async Task<FlowController?> StartAsync(
        FlowControlSettings settings, ResourceRegistry registry, ResourceEndpoint resources, IStorage storage, Prometheus.CollectorRegistry metrics,
        TimeProvider clock, ILogger logger, CancellationToken lifetime, CancellationToken ct)
    {
        if (!settings.Enabled)
        {
            return null;
        }

        var controller = new FlowController(settings, new FlowControlMetrics(metrics), clock);
        _ = Task.Run(() => controller.RunBorrowingAsync(lifetime), CancellationToken.None);
        _ = Task.Run(() => controller.ObjectCounts.RunAsync(registry, storage, settings.ObjectCountPeriod, clock, lifetime), CancellationToken.None);
        if (registry.Find("flowcontrol.apiserver.k8s.io", "v1", "flowschemas") is { } fsd
            && registry.Find("flowcontrol.apiserver.k8s.io", "v1", "prioritylevelconfigurations") is { } pld)
        {
            var flowSchemas = resources.StoreFor(fsd);
            var levels = resources.StoreFor(pld);
            await FlowControlEnsurer.EnsureAsync(flowSchemas, levels, ct).ConfigureAwait(false);
            _ = Task.Run(() => FlowControlEnsurer.RunAsync(flowSchemas, levels, settings.EnsurePeriod, clock, logger, lifetime), CancellationToken.None);
            await new FlowControlConfigController(controller, storage, flowSchemas, levels, clock, logger).StartAsync(lifetime, ct).ConfigureAwait(false);
        }

        return controller;
    }
}
