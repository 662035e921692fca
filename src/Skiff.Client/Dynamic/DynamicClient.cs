using Skiff.Client.Config;
using Skiff.Client.Rest;
using Skiff.Client.Schema;

namespace Skiff.Client.Dynamic;

/// <summary>
/// A client for any resource, typed or not, over <see cref="System.Text.Json.Nodes.JsonObject"/> (client-go
/// <c>dynamic.Interface</c>): <c>dynamic.Resource(gvr).Namespace("ns").GetAsync("name")</c>. Shares one
/// <see cref="RestClient"/> (connection pool and rate limit).
/// </summary>
public sealed class DynamicClient : IDisposable
{
    private readonly bool _ownsRest;

    public DynamicClient(RestClient rest)
    {
        Rest = rest;
    }

    public DynamicClient(ClientConfig config)
    {
        Rest = new RestClient(config);
        _ownsRest = true;
    }

    public RestClient Rest { get; }

    /// <summary>The client of <paramref name="gvr"/>, cluster-wide (or across all namespaces); narrow with <see cref="DynamicResourceClient.Namespace"/>.</summary>
    public DynamicResourceClient Resource(GroupVersionResource gvr) => new(Rest, gvr, null);

    public void Dispose()
    {
        if (_ownsRest)
        {
            Rest.Dispose();
        }
    }
}
