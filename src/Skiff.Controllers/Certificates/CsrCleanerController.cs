using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Skiff.Client.Cache;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;

namespace Skiff.Controllers.Certificates;

/// <summary>
/// Upstream's <c>csrcleaner</c> (<c>pkg/controller/certificates/cleaner</c>): every <see cref="PollingInterval"/> (and
/// once at start) every CSR in the cache is looked at and deleted when it is approved and issued and its approval is
/// older than <see cref="ApprovedExpiration"/>, denied or failed longer than <see cref="DeniedExpiration"/> ago,
/// without any condition and older than <see cref="PendingExpiration"/>, or approved with an issued certificate that
/// has expired. An approved request that was never issued is kept.
/// </summary>
public sealed partial class CsrCleanerController : IRunnable
{
    /// <summary>How often the cache is looked through (upstream's <c>pollingInterval</c>).</summary>
    public static readonly TimeSpan PollingInterval = TimeSpan.FromHours(1);

    /// <summary>How long an issued request is kept after its approval.</summary>
    public static readonly TimeSpan ApprovedExpiration = TimeSpan.FromHours(1);

    /// <summary>How long a denied or failed request is kept.</summary>
    public static readonly TimeSpan DeniedExpiration = TimeSpan.FromHours(1);

    /// <summary>How long a request nobody decided on is kept.</summary>
    public static readonly TimeSpan PendingExpiration = TimeSpan.FromHours(24);

    private readonly ControllerContext _ctx;
    private readonly SharedIndexInformer<V1CertificateSigningRequest> _csrs;
    private readonly ILogger _logger;

    private CsrCleanerController(ControllerContext ctx)
    {
        _ctx = ctx;
        _csrs = ctx.Manager.Informers.Informer<V1CertificateSigningRequest>();
        _logger = ctx.LoggerFactory.CreateLogger("Skiff.Controllers.Certificates.Cleaner");
    }

    /// <summary>Raised after every pass (tests step a fake clock from one pass to the next).</summary>
    public event Action? PassCompleted;

    /// <summary>Registers the cleaner with <paramref name="ctx"/>'s manager.</summary>
    public static CsrCleanerController Register(ControllerContext ctx)
    {
        var cleaner = new CsrCleanerController(ctx);
        ctx.Manager.Add(cleaner);
        return cleaner;
    }

    /// <inheritdoc/>
    public async Task RunAsync(CancellationToken ct)
    {
        try
        {
            await _csrs.WaitForCacheSyncAsync(ct).ConfigureAwait(false);
            using var timer = new PeriodicTimer(PollingInterval, _ctx.TimeProvider);
            do
            {
                await CleanAsync(ct).ConfigureAwait(false);
                PassCompleted?.Invoke();
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    /// <summary>One pass (upstream's <c>worker</c>): deletes every cached request <see cref="Reason"/> condemns.</summary>
    public async Task CleanAsync(CancellationToken ct)
    {
        var now = _ctx.TimeProvider.GetUtcNow();
        var client = _ctx.Clientset.Resource<V1CertificateSigningRequest, V1CertificateSigningRequestList>();
        foreach (var csr in _csrs.Lister.List())
        {
            if (Reason(csr, now) is not { } reason)
            {
                continue;
            }

            LogCleaning(_logger, csr.Metadata.Name, reason);
            try
            {
                await client.DeleteAsync(csr.Metadata.Name, ct: ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is KubernetesApiException or HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
            {
                LogDeleteFailed(_logger, csr.Metadata.Name, e.Message);
            }
        }
    }

    /// <summary>
    /// Why <paramref name="csr"/> is to be deleted at <paramref name="now"/>, in upstream's order (issued past the
    /// deadline, denied, failed, pending, issued and expired); null: it is kept.
    /// </summary>
    public static string? Reason(V1CertificateSigningRequest csr, DateTimeOffset now)
    {
        var conditions = csr.Status?.Conditions ?? [];
        var issued = CsrConditions.IsIssued(csr);
        if (issued && conditions.Any(c => c.Type == "Approved" && OlderThan(c.LastUpdateTime, ApprovedExpiration, now)))
        {
            return "it is more than approvedExpiration duration old and approved";
        }

        if (conditions.Any(c => c.Type == "Denied" && OlderThan(c.LastUpdateTime, DeniedExpiration, now)))
        {
            return "it is more than deniedExpiration duration old and denied";
        }

        if (conditions.Any(c => c.Type == "Failed" && OlderThan(c.LastUpdateTime, DeniedExpiration, now)))
        {
            return "it is more than deniedExpiration duration old and failed";
        }

        if (conditions.Count == 0 && OlderThan(csr.Metadata.CreationTimestamp, PendingExpiration, now))
        {
            return "it is more than pendingExpiration duration old and unhandled";
        }

        if (issued && conditions.Any(c => c.Type == "Approved") && Expired(csr.Status!.Certificate, now))
        {
            return "the associated certificate is expired";
        }

        return null;
    }

    /// <summary>Upstream's <c>isOlderThan</c>: a set time more than <paramref name="age"/> before <paramref name="now"/>.</summary>
    private static bool OlderThan(DateTime? t, TimeSpan age, DateTimeOffset now) =>
        t is { } at && at != default && now - new DateTimeOffset(DateTime.SpecifyKind(at, at.Kind == DateTimeKind.Unspecified ? DateTimeKind.Utc : at.Kind)) > age;

    /// <summary>Upstream's <c>isExpired</c>: the first PEM certificate's NotAfter has passed; anything unreadable is not expired.</summary>
    private static bool Expired(byte[] pem, DateTimeOffset now)
    {
        try
        {
            var text = Encoding.ASCII.GetString(pem);
            if (!PemEncoding.TryFind(text, out var fields) || text[fields.Label] != "CERTIFICATE")
            {
                return false;
            }

            using var cert = X509CertificateLoader.LoadCertificate(Convert.FromBase64String(text[fields.Base64Data]));
            return now > new DateTimeOffset(cert.NotAfter.ToUniversalTime());
        }
        catch (Exception e) when (e is CryptographicException or FormatException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cleaning CSR {Name} as {Reason}")]
    private static partial void LogCleaning(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Error while attempting to clean CSR {Name}: {Error}")]
    private static partial void LogDeleteFailed(ILogger logger, string name, string error);
}
