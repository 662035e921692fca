using System.Text;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Api.Certificates;
using Skiff.Client.Cache;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;

namespace Skiff.Controllers.Bootstrap;

/// <summary>
/// Upstream's <c>tokencleaner</c> (<c>pkg/controller/bootstrap/tokencleaner.go</c>; off unless <c>--controllers</c>
/// names it, as upstream): a bootstrap-token Secret (type <c>bootstrap.kubernetes.io/token</c>) in
/// <see cref="TokenNamespace"/> is deleted, with a uid precondition, once its <c>expiration</c> has passed (an
/// unparsable one counts as passed); until then it is looked at again when it expires.
/// </summary>
public sealed partial class TokenCleaner : IReconciler
{
    /// <summary>Where bootstrap tokens live (upstream's <c>TokenSecretNamespace</c> default).</summary>
    public const string TokenNamespace = "kube-system";

    private readonly ControllerContext _ctx;
    private readonly Lister<V1Secret> _secrets;
    private readonly ILogger _logger;

    private TokenCleaner(ControllerContext ctx)
    {
        _ctx = ctx;
        _secrets = ctx.Manager.Informers.Informer<V1Secret>().Lister;
        _logger = ctx.LoggerFactory.CreateLogger("Skiff.Controllers.Bootstrap.TokenCleaner");
    }

    /// <summary>Wires the cleaner into <paramref name="ctx"/>'s manager.</summary>
    public static void Register(ControllerContext ctx) =>
        ctx.Manager.CreateController()
            .Named("tokencleaner")
            .For<V1Secret>(s => s.Type == BootstrapTokenExpiration.SecretType && s.Metadata.NamespaceProperty == TokenNamespace)
            .Complete(new TokenCleaner(ctx));

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        if (_secrets.Get(request.Namespace, request.Name) is not { Type: BootstrapTokenExpiration.SecretType } secret)
        {
            return ReconcileResult.Done;
        }

        var (ttl, expired) = BootstrapTokenExpiration.Of(Expiration(secret), _ctx.TimeProvider.GetUtcNow());
        if (!expired)
        {
            return ttl > TimeSpan.Zero ? ReconcileResult.After(ttl) : ReconcileResult.Done;
        }

        LogDeleting(_logger, request.Namespace!, request.Name);
        try
        {
            await _ctx.Clientset.CoreV1().Secrets(request.Namespace!).DeleteAsync(request.Name,
                new DeleteOptions { PreconditionUid = secret.Metadata.Uid is { Length: > 0 } uid ? uid : null }, ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound || e.IsConflict)
        {
            // Already gone, or replaced by a new Secret of the same name (the uid precondition failed).
        }

        return ReconcileResult.Done;
    }

    private static string? Expiration(V1Secret secret)
    {
        if (secret.Data?.TryGetValue(BootstrapTokenExpiration.ExpirationKey, out var bytes) == true)
        {
            return Encoding.UTF8.GetString(bytes);
        }

        return secret.StringData?.TryGetValue(BootstrapTokenExpiration.ExpirationKey, out var text) == true ? text : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleting expired secret {Namespace}/{Name}")]
    private static partial void LogDeleting(ILogger logger, string @namespace, string name);
}
