using k8s.Models;

namespace Skiff.Client.Typed;

/// <summary>The apps/v1 group's typed clients.</summary>
public sealed class AppsV1Client(Clientset clientset)
{
    public ResourceClient<V1Deployment, V1DeploymentList> Deployments(string? ns = null) => clientset.Resource<V1Deployment, V1DeploymentList>(ns);

    public ResourceClient<V1ReplicaSet, V1ReplicaSetList> ReplicaSets(string? ns = null) => clientset.Resource<V1ReplicaSet, V1ReplicaSetList>(ns);

    public ResourceClient<V1StatefulSet, V1StatefulSetList> StatefulSets(string? ns = null) => clientset.Resource<V1StatefulSet, V1StatefulSetList>(ns);

    public ResourceClient<V1DaemonSet, V1DaemonSetList> DaemonSets(string? ns = null) => clientset.Resource<V1DaemonSet, V1DaemonSetList>(ns);
}
