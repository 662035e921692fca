namespace Skiff.Controllers.EndpointSlice;

/// <summary>The endpointslice controller's flags (upstream's <c>EndpointSliceControllerConfiguration</c>).</summary>
public sealed record EndpointSliceControllerOptions
{
    /// <summary><c>--max-endpoints-per-slice</c>: at most this many endpoints per slice (default 100, upstream's range 1–1000).</summary>
    public int MaxEndpointsPerSlice { get; init; } = 100;

    /// <summary><c>--concurrent-service-endpoint-syncs</c> (default 5).</summary>
    public int Workers { get; init; } = 5;
}
