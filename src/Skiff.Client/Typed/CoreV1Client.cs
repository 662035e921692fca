using k8s.Models;

namespace Skiff.Client.Typed;

/// <summary>The core/v1 group's typed clients.</summary>
public sealed class CoreV1Client(Clientset clientset)
{
    public ResourceClient<V1Pod, V1PodList> Pods(string? ns = null) => clientset.Resource<V1Pod, V1PodList>(ns);

    public ResourceClient<V1Service, V1ServiceList> Services(string? ns = null) => clientset.Resource<V1Service, V1ServiceList>(ns);

    public ResourceClient<V1ConfigMap, V1ConfigMapList> ConfigMaps(string? ns = null) => clientset.Resource<V1ConfigMap, V1ConfigMapList>(ns);

    public ResourceClient<V1Secret, V1SecretList> Secrets(string? ns = null) => clientset.Resource<V1Secret, V1SecretList>(ns);

    public ResourceClient<V1ServiceAccount, V1ServiceAccountList> ServiceAccounts(string? ns = null) => clientset.Resource<V1ServiceAccount, V1ServiceAccountList>(ns);

    public ResourceClient<Corev1Event, Corev1EventList> Events(string? ns = null) => clientset.Resource<Corev1Event, Corev1EventList>(ns);

    public ResourceClient<V1Endpoints, V1EndpointsList> Endpoints(string? ns = null) => clientset.Resource<V1Endpoints, V1EndpointsList>(ns);

    public ResourceClient<V1PersistentVolumeClaim, V1PersistentVolumeClaimList> PersistentVolumeClaims(string? ns = null) => clientset.Resource<V1PersistentVolumeClaim, V1PersistentVolumeClaimList>(ns);

    public ResourceClient<V1Namespace, V1NamespaceList> Namespaces() => clientset.Resource<V1Namespace, V1NamespaceList>();

    public ResourceClient<V1Node, V1NodeList> Nodes() => clientset.Resource<V1Node, V1NodeList>();

    public ResourceClient<V1PersistentVolume, V1PersistentVolumeList> PersistentVolumes() => clientset.Resource<V1PersistentVolume, V1PersistentVolumeList>();
}
