using k8s.Models;

namespace Skiff.Client.Typed;

/// <summary>The coordination.k8s.io/v1 group's typed clients.</summary>
public sealed class CoordinationV1Client(Clientset clientset)
{
    public ResourceClient<V1Lease, V1LeaseList> Leases(string? ns = null) => clientset.Resource<V1Lease, V1LeaseList>(ns);
}
