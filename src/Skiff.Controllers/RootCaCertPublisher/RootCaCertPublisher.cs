using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;

namespace Skiff.Controllers.RootCaCertPublisher;

/// <summary>
/// Upstream's <c>root-ca-cert-publisher</c> (<c>pkg/controller/certificates/rootcacertpublisher/publisher.go</c>):
/// every namespace that is not terminating holds the ConfigMap <c>kube-root-ca.crt</c> with
/// <c>data: {ca.crt: &lt;bundle&gt;}</c> and the annotation <c>kubernetes.io/description</c>. A deleted one is
/// recreated; a changed one gets its data (and the annotation) back, keeping anything else the user added.
/// </summary>
public sealed class RootCaCertPublisher : IReconciler
{
    /// <summary>The ConfigMap's name.</summary>
    public const string ConfigMapName = "kube-root-ca.crt";

    /// <summary>The data key of the bundle.</summary>
    public const string DataKey = "ca.crt";

    /// <summary>The annotation upstream sets on the ConfigMap.</summary>
    public const string DescriptionAnnotation = "kubernetes.io/description";

    /// <summary>The annotation's text (upstream's).</summary>
    public const string Description =
        "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. " +
        "No other usage is guaranteed across distributions of Kubernetes clusters.";

    private readonly Clientset _clientset;
    private readonly string _bundle;
    private readonly Lister<V1Namespace> _namespaces;
    private readonly Lister<V1ConfigMap> _configMaps;

    private RootCaCertPublisher(Manager manager, string bundle)
    {
        _clientset = manager.Clientset;
        _bundle = bundle;
        _namespaces = manager.Informers.Informer<V1Namespace>().Lister;
        _configMaps = manager.Informers.Informer<V1ConfigMap>().Lister;
    }

    /// <summary>Wires the publisher into <paramref name="context"/>'s manager.</summary>
    /// <exception cref="InvalidOperationException">The context has no CA bundle.</exception>
    public static void Register(ControllerContext context)
    {
        var bundle = context.RootCaBundle ?? throw new InvalidOperationException("root-ca-cert-publisher needs the cluster CA bundle");
        var manager = context.Manager;
        manager.CreateController()
            .Named("root-ca-cert-publisher")
            .For<V1Namespace>()
            .Watches<V1ConfigMap>(cm => cm.Metadata.Name == ConfigMapName ? [new ReconcileRequest(null, cm.Metadata.NamespaceProperty)] : [])
            .Complete(new RootCaCertPublisher(manager, bundle));
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var ns = _namespaces.Get(null, request.Name);
        if (ns is null || ns.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        var client = _clientset.CoreV1().ConfigMaps(request.Name);
        try
        {
            var cm = _configMaps.Get(request.Name, ConfigMapName);
            if (cm is null)
            {
                await client.CreateAsync(new V1ConfigMap
                {
                    Metadata = new V1ObjectMeta { Name = ConfigMapName, Annotations = new Dictionary<string, string> { [DescriptionAnnotation] = Description } },
                    Data = new Dictionary<string, string> { [DataKey] = _bundle },
                }, ct: ct).ConfigureAwait(false);
                return ReconcileResult.Done;
            }

            if (Current(cm))
            {
                return ReconcileResult.Done;
            }

            // Upstream replaces data wholesale and sets the annotation, keeping the rest; a copy, never the cache's.
            var updated = await client.GetAsync(ConfigMapName, ct: ct).ConfigureAwait(false);
            updated.Data = new Dictionary<string, string> { [DataKey] = _bundle };
            updated.Metadata.Annotations ??= new Dictionary<string, string>();
            updated.Metadata.Annotations[DescriptionAnnotation] = Description;
            await client.UpdateAsync(updated, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsAlreadyExists || e.IsForbidden || e.IsNotFound)
        {
            // Created meanwhile (the watch brings it back here if it differs), or the namespace is terminating or gone.
        }

        return ReconcileResult.Done;
    }

    private bool Current(V1ConfigMap cm)
        => cm.Data is { Count: 1 } d && d.TryGetValue(DataKey, out var v) && v == _bundle
            && cm.Metadata.Annotations?.TryGetValue(DescriptionAnnotation, out var a) == true && a.Length > 0;
}
