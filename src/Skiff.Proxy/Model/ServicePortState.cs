namespace Skiff.Proxy.Model;

/// <summary>A service port with every endpoint its EndpointSlices list (ready or not; <see cref="EndpointCategories"/> chooses).</summary>
public sealed record ServicePortState(ServicePortInfo Service, IReadOnlyList<EndpointInfo> Endpoints);
