namespace Skiff.Client.Discovery;

/// <summary>Which discovery endpoints a <see cref="DiscoveryDocument"/> came from.</summary>
public enum DiscoverySource
{
    /// <summary><c>/api</c> and <c>/apis</c> answered with <c>apidiscovery.k8s.io/v2 APIGroupDiscoveryList</c> (two requests).</summary>
    Aggregated,

    /// <summary><c>/api</c>, <c>/api/v1</c>, <c>/apis</c> and one <c>/apis/g/v</c> per group version.</summary>
    Legacy,
}
