using System.Text.Json;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Api.Certificates;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;

namespace Skiff.Controllers.Certificates;

/// <summary>
/// Upstream's <c>csrapproving</c> controller (<c>pkg/controller/certificates/approver/sarapprove.go</c>): a pending
/// kubelet client request (signer <c>kube-apiserver-client-kubelet</c>, a valid node subject and usages) is approved
/// when a SubjectAccessReview for its requester allows <c>create certificatesigningrequests/selfnodeclient</c> (the
/// requester renews its own identity: username equals the CN) or <c>…/nodeclient</c> (a bootstrapper asks for a new
/// one), with reason <c>AutoApproved</c> and upstream's message. Anything else is left for a human or another approver.
/// </summary>
public sealed partial class CsrApprovingController : IReconciler
{
    /// <summary>The approval message of a self renewal.</summary>
    public const string SelfNodeClientMessage = "Auto approving self kubelet client certificate after SubjectAccessReview.";

    /// <summary>The approval message of a bootstrap request.</summary>
    public const string NodeClientMessage = "Auto approving kubelet client certificate after SubjectAccessReview.";

    private readonly Lister<V1CertificateSigningRequest> _lister;
    private readonly Clientset _clientset;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;

    private CsrApprovingController(ControllerContext ctx)
    {
        _clientset = ctx.Clientset;
        _clock = ctx.TimeProvider;
        _lister = ctx.Manager.Informers.Informer<V1CertificateSigningRequest>().Lister;
        _logger = ctx.LoggerFactory.CreateLogger("Skiff.Controllers.Certificates.Approving");
    }

    /// <summary>Wires the approver into <paramref name="context"/>'s manager.</summary>
    public static void Register(ControllerContext context) =>
        context.Manager.CreateController()
            .Named("csrapproving")
            .For<V1CertificateSigningRequest>()
            .Complete(new CsrApprovingController(context));

    /// <inheritdoc/>
    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var csr = _lister.Get(null, request.Name);
        if (csr is null || CsrConditions.IsIssued(csr) || CsrConditions.IsDecided(csr)
            || csr.Spec?.SignerName != CertificateSigners.KubeApiServerClientKubelet
            || ParsedCertificateRequest.TryParse(csr.Spec.Request ?? [], out _) is not { } parsed
            || CertificateRequestRules.ValidateKubeletClient(parsed, csr.Spec.Usages ?? []) is not null)
        {
            return ReconcileResult.Done;
        }

        // The recognisers in upstream's order: a self renewal, then a bootstrap.
        var tried = new List<string>();
        foreach (var (subresource, message) in Recognised(csr, parsed))
        {
            tried.Add(subresource);
            if (await AllowedAsync(csr, subresource, ct).ConfigureAwait(false))
            {
                await ApproveAsync(request.Name, message, ct).ConfigureAwait(false);
                LogApproved(_logger, request.Name, subresource);
                return ReconcileResult.Done;
            }
        }

        LogNotApproved(_logger, request.Name, string.Join(' ', tried));
        return ReconcileResult.Done;
    }

    private static IEnumerable<(string Subresource, string Message)> Recognised(V1CertificateSigningRequest csr, ParsedCertificateRequest parsed)
    {
        if (csr.Spec.Username == parsed.CommonName)
        {
            yield return ("selfnodeclient", SelfNodeClientMessage);
        }

        yield return ("nodeclient", NodeClientMessage);
    }

    private async Task<bool> AllowedAsync(V1CertificateSigningRequest csr, string subresource, CancellationToken ct)
    {
        var body = new Dictionary<string, object?>
        {
            ["apiVersion"] = "authorization.k8s.io/v1",
            ["kind"] = "SubjectAccessReview",
            ["spec"] = new Dictionary<string, object?>
            {
                ["user"] = csr.Spec.Username,
                ["uid"] = csr.Spec.Uid,
                ["groups"] = csr.Spec.Groups,
                ["extra"] = csr.Spec.Extra,
                ["resourceAttributes"] = new Dictionary<string, string>
                {
                    ["group"] = "certificates.k8s.io",
                    ["resource"] = "certificatesigningrequests",
                    ["verb"] = "create",
                    ["subresource"] = subresource,
                    ["version"] = "*",
                },
            },
        };
        var result = await _clientset.Rest.Post().ApiVersion("authorization.k8s.io/v1").Resource("subjectaccessreviews").Body(body).DoAsync(ct).ConfigureAwait(false);
        using var doc = JsonDocument.Parse(result.Body);
        return doc.RootElement.TryGetProperty("status", out var status) && status.TryGetProperty("allowed", out var allowed) && allowed.ValueKind == JsonValueKind.True;
    }

    private async Task ApproveAsync(string name, string message, CancellationToken ct)
    {
        var client = _clientset.Resource<V1CertificateSigningRequest, V1CertificateSigningRequestList>();
        V1CertificateSigningRequest csr;
        try
        {
            csr = await client.GetAsync(name, ct: ct).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            return;
        }

        if (CsrConditions.IsDecided(csr))
        {
            return;
        }

        csr.Status ??= new V1CertificateSigningRequestStatus();
        csr.Status.Conditions ??= [];
        csr.Status.Conditions.Add(new V1CertificateSigningRequestCondition
        {
            Type = "Approved",
            Status = "True",
            Reason = "AutoApproved",
            Message = message,
            LastUpdateTime = _clock.GetUtcNow().UtcDateTime,
        });
        csr.ApiVersion = "certificates.k8s.io/v1";
        csr.Kind = "CertificateSigningRequest";
        await _clientset.Rest.Put().ApiVersion("certificates.k8s.io/v1").Resource("certificatesigningrequests").Name(name).SubResource("approval")
            .Body(csr).DoAsync(ct).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "approved csr {Name} ({Subresource})")]
    private static partial void LogApproved(ILogger logger, string name, string subresource);

    [LoggerMessage(Level = LogLevel.Debug, Message = "recognized csr {Name} as [{Tried}] but subject access review was not approved")]
    private static partial void LogNotApproved(ILogger logger, string name, string tried);
}
