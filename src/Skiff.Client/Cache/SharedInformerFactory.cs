using System.Collections.Concurrent;
using k8s;
using k8s.Models;
using Skiff.Client.Discovery;
using Skiff.Client.Dynamic;
using Skiff.Client.Schema;
using Skiff.Client.Typed;

namespace Skiff.Client.Cache;

/// <summary>
/// Hands out one shared informer per <see cref="InformerKey"/> — a resource (group, version, plural) and the form its
/// objects are decoded into — so every controller in a process shares one list+watch per resource and form
/// (client-go's <c>SharedInformerFactory</c> and <c>dynamicinformer.DynamicSharedInformerFactory</c> behind one
/// factory). <see cref="For{T}"/> gives a typed informer (the resource and scope come from the model type's
/// attributes: <see cref="ResourceInfo.For(Type)"/>); <see cref="ForResource(GroupVersionResource)"/> gives an informer
/// of <see cref="DynamicObject"/>s for any resource, custom ones included, whose scope comes from the RESTMapper
/// (discovery); <see cref="ForMetadata"/> gives a metadata-only informer (<see cref="PartialObjectMetadata"/>).
/// <para>
/// A typed and a dynamic informer of the same resource are two informers with two reflectors. Sharing one would mean
/// decoding every event twice or converting between forms: typed models list and watch in protobuf and drop the
/// fields their class does not declare, while a dynamic object must keep the server's JSON exactly. Upstream keeps one
/// factory per form for the same reason. Requests for the same key always share (e.g. <c>For&lt;V1Pod&gt;()</c> and
/// <c>Informer&lt;V1Pod, V1PodList&gt;()</c>).
/// </para>
/// Informers requested before <see cref="StartAsync"/> or after it are all run; <see cref="WaitForCacheSyncAsync"/>
/// waits for all that were started.
/// </summary>
public sealed class SharedInformerFactory : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<Type, Type> ListTypes = new();
    private readonly object _lock = new();
    private readonly Clientset _clientset;
    private readonly string? _namespace;
    private readonly SharedInformerOptions _options;
    private readonly Dictionary<InformerKey, ISharedInformer> _informers = [];
    private readonly ConcurrentDictionary<GroupVersionResource, RestMapping> _mappings = new();
    private readonly HashSet<GroupVersionResource> _wanted = [];
    private readonly List<(Func<Task> Sync, Task Run)> _running = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Lazy<DeferredRestMapper> _restMapper;
    private readonly Lazy<DynamicClient> _dynamic;
    private bool _started;

    /// <param name="clientset">Lists and watches typed informers (and, through its REST client, dynamic ones).</param>
    /// <param name="options">Options of every informer.</param>
    /// <param name="ns">Watch only this namespace (null: all). Ignored for cluster-scoped resources.</param>
    /// <param name="restMapper">Resolves the kind and scope of dynamic resources (default: discovery over <paramref name="clientset"/>).</param>
    public SharedInformerFactory(Clientset clientset, SharedInformerOptions? options = null, string? ns = null, DeferredRestMapper? restMapper = null)
    {
        _clientset = clientset;
        _options = options ?? new SharedInformerOptions();
        _namespace = string.IsNullOrEmpty(ns) ? null : ns;
        _restMapper = new Lazy<DeferredRestMapper>(() => restMapper ?? new DeferredRestMapper(new DiscoveryClient(clientset.Rest)));
        _dynamic = new Lazy<DynamicClient>(() => new DynamicClient(clientset.Rest));
    }

    /// <summary>The clientset the typed informers list and watch with.</summary>
    public Clientset Clientset => _clientset;

    /// <summary>The dynamic client the dynamic informers list and watch with (shares the clientset's REST client).</summary>
    public DynamicClient DynamicClient => _dynamic.Value;

    /// <summary>Resolves the kind and scope of resources requested with <see cref="ForResource(GroupVersionResource)"/>.</summary>
    public DeferredRestMapper RestMapper => _restMapper.Value;

    /// <summary>The namespace the informers watch (null: all).</summary>
    public string? Namespace => _namespace;

    /// <summary>The keys of every informer handed out so far.</summary>
    public IReadOnlyList<InformerKey> Keys
    {
        get
        {
            lock (_lock)
            {
                return [.. _informers.Keys];
            }
        }
    }

    /// <summary>The shared typed informer of <typeparamref name="T"/> (list type by convention, see <see cref="Informer{T}"/>).</summary>
    public SharedIndexInformer<T> For<T>()
        where T : class, IKubernetesObject<V1ObjectMeta>
        => Informer<T>();

    /// <summary>
    /// The shared informer of <see cref="DynamicObject"/>s of <paramref name="gvr"/>; created (and started, if the factory
    /// runs) on first use. Its scope (needed to watch one namespace, and to map owners) is resolved through
    /// <see cref="RestMapper"/> when the factory starts or before the informer's first list; a resource that is not
    /// served yet (a CRD not yet established) is retried by the informer with backoff.
    /// </summary>
    public SharedIndexInformer<DynamicObject> ForResource(GroupVersionResource gvr)
        => GetOrAdd(new InformerKey(gvr, typeof(DynamicObject)), () =>
            new SharedIndexInformer<DynamicObject>(new ResolvingListerWatcher(this, gvr), _options with { Name = gvr.Resource }));

    /// <summary>
    /// The shared metadata-only informer of <paramref name="gvr"/> (client-go's <c>metadatainformer</c>): objects are
    /// cached as <see cref="PartialObjectMetadata"/> (the server strips everything but metadata), for controllers that
    /// only need labels, owners or finalizers of a large resource. A third form: it shares nothing with the typed or
    /// dynamic informer of the same resource. Scope is resolved as for <see cref="ForResource(GroupVersionResource)"/>.
    /// </summary>
    public SharedIndexInformer<PartialObjectMetadata> ForMetadata(GroupVersionResource gvr)
        => GetOrAdd(new InformerKey(gvr, typeof(PartialObjectMetadata)), () =>
            new SharedIndexInformer<PartialObjectMetadata>(new MetadataListerWatcher(this, gvr), _options with { Name = gvr.Resource }));

    /// <summary>
    /// As <see cref="ForResource(GroupVersionResource)"/>, with the resource's mapping given (no discovery): its kind and
    /// whether it is namespaced.
    /// </summary>
    public SharedIndexInformer<DynamicObject> ForResource(GroupVersionResource gvr, GroupVersionKind kind, bool namespaced)
    {
        _mappings.TryAdd(gvr, new RestMapping(gvr, kind, namespaced));
        return ForResource(gvr);
    }

    /// <summary>The shared informer for <typeparamref name="T"/>; created (and started, if the factory runs) on first use.</summary>
    public SharedIndexInformer<T> Informer<T, TList>()
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
    {
        var info = ResourceInfo.For<T>();
        _mappings.TryAdd(info.Resource, info.ToRestMapping());
        return GetOrAdd(new InformerKey(info.Resource, typeof(T)), () =>
        {
            var client = new ResourceClient<T, TList>(_clientset.Rest, _namespace, info);
            return new SharedIndexInformer<T>(client, _options with { Name = client.Info.Plural });
        });
    }

    /// <summary>
    /// The shared informer for a KubernetesClient model type, whose list type is found by convention
    /// (<c>V1Pod</c> → <c>V1PodList</c>, the type in the same assembly implementing <c>IItems&lt;T&gt;</c>).
    /// </summary>
    /// <exception cref="ArgumentException">No list type was found.</exception>
    public SharedIndexInformer<T> Informer<T>()
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var listType = ListTypes.GetOrAdd(typeof(T), t =>
            t.Assembly.GetType($"{t.Namespace}.{t.Name}List") is { } l && typeof(IItems<>).MakeGenericType(t).IsAssignableFrom(l)
                ? l
                : throw new ArgumentException($"no list type {t.Name}List implementing IItems<{t.Name}> next to {t.Name}; use Informer<T, TList>()"));
        var method = typeof(SharedInformerFactory).GetMethods().Single(m => m.Name == nameof(Informer) && m.GetGenericArguments().Length == 2);
        return (SharedIndexInformer<T>)method.MakeGenericMethod(typeof(T), listType).Invoke(this, null)!;
    }

    /// <summary>
    /// The mapping (kind, scope) of <paramref name="gvr"/> if known: from a typed informer's model type, from
    /// <see cref="ForResource(GroupVersionResource, GroupVersionKind, bool)"/>, or resolved through discovery.
    /// </summary>
    public RestMapping? TryGetMapping(GroupVersionResource gvr) => _mappings.GetValueOrDefault(gvr);

    /// <summary>The mapping of <paramref name="gvr"/>, resolved through <see cref="RestMapper"/> once and cached.</summary>
    /// <exception cref="NoMatchException">The server does not serve the resource.</exception>
    public async Task<RestMapping> GetMappingAsync(GroupVersionResource gvr, CancellationToken ct = default)
    {
        if (_mappings.TryGetValue(gvr, out var known))
        {
            return known;
        }

        var mapping = await RestMapper.RestMappingForAsync(gvr, ct).ConfigureAwait(false);
        return _mappings.GetOrAdd(gvr, mapping);
    }

    /// <summary>Asks <see cref="StartAsync"/> to resolve the mapping of <paramref name="gvr"/> before the informers start.</summary>
    public void RequireMapping(GroupVersionResource gvr)
    {
        lock (_lock)
        {
            _wanted.Add(gvr);
        }
    }

    /// <summary>
    /// Resolves the mappings that are needed and not known yet — of every dynamic informer when the factory watches one
    /// namespace, and of resources passed to <see cref="RequireMapping"/> — (a resource not served yet is left to its
    /// informer), then starts every informer requested so far (and any requested later).
    /// </summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        GroupVersionResource[] unresolved;
        lock (_lock)
        {
            if (_started)
            {
                return;
            }

            unresolved = [.. _informers.Keys.Select(k => k.Resource).Where(r => _namespace is not null || _wanted.Contains(r))
                .Concat(_wanted).Where(r => !_mappings.ContainsKey(r)).Distinct()];
        }

        foreach (var gvr in unresolved)
        {
            try
            {
                await GetMappingAsync(gvr, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NoMatchException or Rest.KubernetesApiException or HttpRequestException)
            {
                // The informer resolves it before its first list, and retries that with backoff.
            }
        }

        lock (_lock)
        {
            if (_started)
            {
                return;
            }

            _started = true;
            foreach (var informer in _informers.Values)
            {
                _running.Add((() => informer.WaitForCacheSyncAsync(_stop.Token), informer.RunAsync(_stop.Token)));
            }
        }
    }

    /// <summary>Waits until every started informer has synced.</summary>
    public Task WaitForCacheSyncAsync(CancellationToken ct = default)
    {
        lock (_lock)
        {
            return Task.WhenAll(_running.Select(r => r.Sync())).WaitAsync(ct);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task[] runs;
        lock (_lock)
        {
            runs = [.. _running.Select(r => r.Run)];
        }

        try
        {
            await Task.WhenAll(runs).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private SharedIndexInformer<T> GetOrAdd<T>(InformerKey key, Func<SharedIndexInformer<T>> create)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        lock (_lock)
        {
            if (_informers.TryGetValue(key, out var existing))
            {
                return (SharedIndexInformer<T>)existing;
            }

            var informer = create();
            _informers[key] = informer;
            if (_started)
            {
                _running.Add((() => informer.WaitForCacheSyncAsync(_stop.Token), informer.RunAsync(_stop.Token)));
            }

            return informer;
        }
    }
}
