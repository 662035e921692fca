using System.Text;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Api.Certificates;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;

namespace Skiff.Controllers.Certificates;

/// <summary>
/// Upstream's <c>csrsigning</c> controller (<c>pkg/controller/certificates/signer</c>): signs approved requests of
/// the built-in signers with the cluster signing CA. <c>kube-apiserver-client</c> needs <c>client auth</c> and
/// nothing beyond <c>digital signature</c>/<c>key encipherment</c>; <c>kube-apiserver-client-kubelet</c> and
/// <c>kubelet-serving</c> need upstream's node subject, SANs and usages. A request that fails its signer's checks
/// gets the condition <c>Failed</c> (reason <c>SignerValidationFailure</c>) and is never signed; a request of another
/// signer, pending, denied, failed or already issued is left alone. The validity is upstream's <c>duration</c> of
/// <c>spec.expirationSeconds</c> under <see cref="ClusterSigningAuthority.MaximumDuration"/>.
/// </summary>
public sealed partial class CsrSigningController : IReconciler
{
    /// <summary>The reason of the <c>Failed</c> condition.</summary>
    public const string SignerValidationFailure = "SignerValidationFailure";

    private readonly ClusterSigningAuthority _authority;
    private readonly Lister<V1CertificateSigningRequest> _lister;
    private readonly Clientset _clientset;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;

    private CsrSigningController(ControllerContext ctx, ClusterSigningAuthority authority)
    {
        _authority = authority;
        _clientset = ctx.Clientset;
        _clock = ctx.TimeProvider;
        _lister = ctx.Manager.Informers.Informer<V1CertificateSigningRequest>().Lister;
        _logger = ctx.LoggerFactory.CreateLogger("Skiff.Controllers.Certificates.Signing");
    }

    /// <summary>Wires the signer into <paramref name="context"/>'s manager; without a signing CA it logs and does nothing, as upstream.</summary>
    public static void Register(ControllerContext context)
    {
        if (context.ClusterSigningCertificate is not { Length: > 0 } cert || context.ClusterSigningKey is not { Length: > 0 } key)
        {
            LogSkipped(context.LoggerFactory.CreateLogger("Skiff.Controllers.Certificates.Signing"));
            return;
        }

        var authority = ClusterSigningAuthority.FromPem(cert, key, context.ClusterSigningDuration);
        context.Manager.CreateController()
            .Named("csrsigning")
            .For<V1CertificateSigningRequest>()
            .Complete(new CsrSigningController(context, authority));
    }

    /// <summary>Which check <paramref name="signerName"/>'s requests must pass; null: not a signer this controller serves.</summary>
    public static Func<ParsedCertificateRequest, IList<string>, string?>? CheckFor(string? signerName) => signerName switch
    {
        CertificateSigners.KubeApiServerClient => (_, usages) => CertificateRequestRules.ValidateApiServerClientUsages(usages),
        CertificateSigners.KubeApiServerClientKubelet => CertificateRequestRules.ValidateKubeletClient,
        CertificateSigners.KubeletServing => CertificateRequestRules.ValidateKubeletServing,
        CertificateSigners.LegacyUnknown => (_, _) => null,
        _ => null,
    };

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var cached = _lister.Get(null, request.Name);
        if (cached is null || CsrConditions.IsIssued(cached) || !CsrConditions.IsApproved(cached) || CsrConditions.HasTrue(cached, "Failed")
            || CheckFor(cached.Spec?.SignerName) is not { } check)
        {
            return ReconcileResult.Done;
        }

        var client = _clientset.Resource<V1CertificateSigningRequest, V1CertificateSigningRequestList>();
        var csr = await client.GetAsync(request.Name, ct: ct).ConfigureAwait(false);
        if (CsrConditions.IsIssued(csr) || !CsrConditions.IsApproved(csr) || CsrConditions.HasTrue(csr, "Failed"))
        {
            return ReconcileResult.Done;
        }

        var parsed = ParsedCertificateRequest.TryParse(csr.Spec.Request ?? [], out var parseError);
        if (parsed is null)
        {
            LogUnparsable(_logger, request.Name, parseError);
            return ReconcileResult.Done;
        }

        var usages = csr.Spec.Usages ?? [];
        var now = _clock.GetUtcNow();
        if (check(parsed, usages) is { } refusal)
        {
            csr.Status ??= new V1CertificateSigningRequestStatus();
            csr.Status.Conditions ??= [];
            csr.Status.Conditions.Add(new V1CertificateSigningRequestCondition
            {
                Type = "Failed",
                Status = "True",
                Reason = SignerValidationFailure,
                Message = refusal,
                LastUpdateTime = now.UtcDateTime,
            });
            await UpdateStatusAsync(client, csr, ct).ConfigureAwait(false);
            LogRefused(_logger, request.Name, refusal);
            return ReconcileResult.Done;
        }

        var ttl = CertificateRequestRules.Duration(_authority.MaximumDuration, csr.Spec.ExpirationSeconds);
        csr.Status ??= new V1CertificateSigningRequestStatus();
        csr.Status.Certificate = Encoding.ASCII.GetBytes(_authority.Sign(parsed, usages, ttl, now));
        await UpdateStatusAsync(client, csr, ct).ConfigureAwait(false);
        LogSigned(_logger, request.Name, csr.Spec.SignerName, ttl);
        return ReconcileResult.Done;
    }

    private static async Task UpdateStatusAsync(ResourceClient<V1CertificateSigningRequest, V1CertificateSigningRequestList> client, V1CertificateSigningRequest csr, CancellationToken ct)
    {
        try
        {
            await client.UpdateStatusAsync(csr, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            // Deleted meanwhile.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Skipping CSR signer controller because no csr cert/key was specified")]
    private static partial void LogSkipped(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "unable to parse csr {Name}: {Error}")]
    private static partial void LogUnparsable(ILogger logger, string name, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "csr {Name} failed its signer's checks: {Reason}")]
    private static partial void LogRefused(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "signed csr {Name} ({Signer}) for {Ttl}")]
    private static partial void LogSigned(ILogger logger, string name, string signer, TimeSpan ttl);
}
