using System.Text;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;

namespace Skiff.Controllers.ServiceAccountToken;

/// <summary>
/// Upstream's legacy token controller (<c>serviceaccount-token</c>, <c>pkg/controller/serviceaccount/tokens_controller.go</c>):
/// a Secret of type <c>kubernetes.io/service-account-token</c> naming a ServiceAccount in its
/// <c>kubernetes.io/service-account.name</c> annotation gets <c>data.token</c> (a legacy JWT signed with the service-account
/// private key), <c>data.ca.crt</c> (the root CA bundle) and <c>data.namespace</c>, and the
/// <c>kubernetes.io/service-account.uid</c> annotation. A token Secret whose ServiceAccount is gone, or has another uid,
/// is deleted (also when the ServiceAccount is deleted later). Runs only when the controller manager has the private
/// key, as upstream needs <c>--service-account-private-key-file</c>.
/// </summary>
public sealed partial class TokensController : IReconciler
{
    /// <summary>The Secret type.</summary>
    public const string SecretType = "kubernetes.io/service-account-token";

    /// <summary>The annotation naming the ServiceAccount.</summary>
    public const string NameAnnotation = "kubernetes.io/service-account.name";

    /// <summary>The annotation holding the ServiceAccount's uid.</summary>
    public const string UidAnnotation = "kubernetes.io/service-account.uid";

    private readonly Clientset _clientset;
    private readonly Lister<V1Secret> _secrets;
    private readonly Lister<V1ServiceAccount> _serviceAccounts;
    private readonly LegacyTokenSigner _signer;
    private readonly byte[]? _rootCa;

    private TokensController(Manager manager, LegacyTokenSigner signer, string? rootCa)
    {
        _clientset = manager.Clientset;
        _secrets = manager.Informers.Informer<V1Secret>().Lister;
        _serviceAccounts = manager.Informers.Informer<V1ServiceAccount>().Lister;
        _signer = signer;
        _rootCa = rootCa is null ? null : Encoding.UTF8.GetBytes(rootCa);
    }

    /// <summary>Wires the controller into <paramref name="context"/>'s manager; skipped (logged) without a private key.</summary>
    public static void Register(ControllerContext context)
    {
        if (context.ServiceAccountPrivateKey is not { Length: > 0 } pem)
        {
            LogSkipped(context.LoggerFactory.CreateLogger("Skiff.Controllers.ServiceAccountToken"));
            return;
        }

        var manager = context.Manager;
        var controller = new TokensController(manager, new LegacyTokenSigner(pem), context.RootCaBundle);
        manager.CreateController()
            .Named("serviceaccount-token")
            .For<V1Secret>()
            .Watches<V1ServiceAccount>(sa => controller.SecretsOf(sa))
            .Complete(controller);
    }

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var secret = _secrets.Get(request.Namespace, request.Name);
        if (secret is null || secret.Type != SecretType || secret.Metadata.DeletionTimestamp is not null
            || Annotation(secret, NameAnnotation) is not { Length: > 0 } saName)
        {
            return ReconcileResult.Done;
        }

        var ns = secret.Metadata.NamespaceProperty;
        var sa = _serviceAccounts.Get(ns, saName) ?? await GetLiveAsync(ns, saName, ct).ConfigureAwait(false);
        var wantedUid = Annotation(secret, UidAnnotation);
        if (sa is null || (wantedUid is { Length: > 0 } && wantedUid != sa.Metadata.Uid))
        {
            try
            {
                await _clientset.CoreV1().Secrets(ns).DeleteAsync(secret.Metadata.Name, new DeleteOptions { PreconditionUid = secret.Metadata.Uid }, ct).ConfigureAwait(false);
            }
            catch (KubernetesApiException e) when (e.IsNotFound || e.IsConflict)
            {
                // Gone or replaced meanwhile.
            }

            return ReconcileResult.Done;
        }

        var data = secret.Data ?? new Dictionary<string, byte[]>();
        var complete = data.TryGetValue("token", out var t) && t.Length > 0
            && data.TryGetValue("namespace", out var n) && n.Length > 0
            && (_rootCa is null || data.ContainsKey("ca.crt"))
            && wantedUid == sa.Metadata.Uid;
        if (complete)
        {
            return ReconcileResult.Done;
        }

        var updated = new Dictionary<string, byte[]>(data, StringComparer.Ordinal);
        if (!updated.TryGetValue("token", out var existing) || existing.Length == 0)
        {
            updated["token"] = Encoding.UTF8.GetBytes(_signer.Sign(ns, saName, sa.Metadata.Uid, secret.Metadata.Name));
        }

        updated["namespace"] = Encoding.UTF8.GetBytes(ns);
        if (_rootCa is not null && !updated.ContainsKey("ca.crt"))
        {
            updated["ca.crt"] = _rootCa;
        }

        // The cached Secret is shared: the update is a copy.
        var m = secret.Metadata;
        var copy = new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new V1ObjectMeta
            {
                Name = m.Name,
                NamespaceProperty = ns,
                Uid = m.Uid,
                ResourceVersion = m.ResourceVersion,
                Labels = m.Labels,
                Annotations = new Dictionary<string, string>(m.Annotations, StringComparer.Ordinal) { [UidAnnotation] = sa.Metadata.Uid },
                OwnerReferences = m.OwnerReferences,
                Finalizers = m.Finalizers,
            },
            Type = secret.Type,
            Immutable = secret.Immutable,
            Data = updated,
        };
        try
        {
            await _clientset.CoreV1().Secrets(ns).UpdateAsync(copy, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            // Deleted meanwhile. (A conflict is thrown: retried with backoff once the cache has the newer Secret.)
        }

        return ReconcileResult.Done;
    }

    private IEnumerable<ReconcileRequest> SecretsOf(V1ServiceAccount sa) =>
        _secrets.List(sa.Metadata.NamespaceProperty)
            .Where(s => s.Type == SecretType && Annotation(s, NameAnnotation) == sa.Metadata.Name)
            .Select(s => new ReconcileRequest(s.Metadata.NamespaceProperty, s.Metadata.Name))
            .ToList();

    private static string? Annotation(V1Secret secret, string key) =>
        secret.Metadata.Annotations is { } a && a.TryGetValue(key, out var v) ? v : null;

    /// <summary>A ServiceAccount missing from the cache is confirmed with a GET (a just-created one may not be there yet).</summary>
    private async Task<V1ServiceAccount?> GetLiveAsync(string ns, string name, CancellationToken ct)
    {
        try
        {
            return await _clientset.CoreV1().ServiceAccounts(ns).GetAsync(name, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Skipping serviceaccount-token: no service-account private key")]
    private static partial void LogSkipped(ILogger logger);
}
