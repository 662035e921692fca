using k8s;
using k8s.Models;
using Skiff.Client.Config;
using Skiff.Client.Rest;

namespace Skiff.Client.Typed;

/// <summary>
/// Typed clients for the built-in groups (client-go <c>kubernetes.Clientset</c>):
/// <c>clientset.AppsV1().Deployments("ns").GetAsync("web")</c>. Every accessor is a thin
/// <see cref="ResourceClient{T,TList}"/>; <see cref="Resource{T,TList}"/> reaches any model type. Shares one
/// <see cref="RestClient"/> (connection pool and rate limit).
/// </summary>
public sealed class Clientset : IDisposable
{
    private readonly bool _ownsRest;

    public Clientset(RestClient rest)
    {
        Rest = rest;
    }

    public Clientset(ClientConfig config)
    {
        Rest = new RestClient(config);
        _ownsRest = true;
    }

    public RestClient Rest { get; }

    public CoreV1Client CoreV1() => new(this);

    public AppsV1Client AppsV1() => new(this);

    public CoordinationV1Client CoordinationV1() => new(this);

    /// <summary>The client of any KubernetesClient model type, in <paramref name="ns"/> (ignored when cluster-scoped).</summary>
    public ResourceClient<T, TList> Resource<T, TList>(string? ns = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
        => new(Rest, ns);

    public void Dispose()
    {
        if (_ownsRest)
        {
            Rest.Dispose();
        }
    }
}
