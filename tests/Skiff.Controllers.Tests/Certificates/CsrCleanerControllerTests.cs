using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Skiff.Controllers.Certificates;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.Certificates;

/// <summary>csrcleaner: upstream's <c>cleaner_test.go</c> cases on the decision, and the controller on a fake clock.</summary>
public sealed class CsrCleanerControllerTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, int, string?, int, bool, int?, bool> Cases => new()
    {
        // name, created minutes ago, condition, condition minutes ago, issued, certificate expires in minutes, deleted
        { "no delete approved not passed deadline", 5, "Approved", 5, true, 60, false },
        { "no delete approved passed deadline not issued", 120, "Approved", 120, false, null, false },
        { "delete approved passed deadline", 120, "Approved", 120, true, 60, true },
        { "no delete denied not passed deadline", 5, "Denied", 5, false, null, false },
        { "delete denied passed deadline", 120, "Denied", 120, false, null, true },
        { "no delete failed not passed deadline", 5, "Failed", 5, false, null, false },
        { "delete failed passed deadline", 120, "Failed", 120, false, null, true },
        { "no delete pending not passed deadline", 5, null, 0, false, null, false },
        { "delete pending passed deadline", 25 * 60, null, 0, false, null, true },
        { "no delete approved not passed deadline unexpired", 5, "Approved", 5, true, 10, false },
        { "delete approved not passed deadline expired", 5, "Approved", 5, true, -1, true },
        { "no delete an issued certificate without approval, expired", 5, "Failed", 5, true, -1, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Reason_IsUpstreamsCriteria(string name, int createdAgo, string? condition, int conditionAgo, bool issued, int? expiresIn, bool deleted)
    {
        var csr = new V1CertificateSigningRequest
        {
            Metadata = new V1ObjectMeta { Name = name, CreationTimestamp = Now.AddMinutes(-createdAgo).UtcDateTime },
            Status = new V1CertificateSigningRequestStatus { Conditions = [] },
        };
        if (condition is not null)
        {
            csr.Status.Conditions.Add(new V1CertificateSigningRequestCondition { Type = condition, Status = "True", LastUpdateTime = Now.AddMinutes(-conditionAgo).UtcDateTime });
        }

        if (issued)
        {
            csr.Status.Certificate = CertificateExpiring(Now.AddMinutes(expiresIn ?? 60));
        }

        Assert.True(deleted == CsrCleanerController.Reason(csr, Now) is not null, name);
    }

    [Fact]
    public void Reason_ZeroTimes_AndUnreadableCertificates_NeverCondemn()
    {
        var csr = new V1CertificateSigningRequest
        {
            Metadata = new V1ObjectMeta { Name = "x" },
            Status = new V1CertificateSigningRequestStatus
            {
                Conditions = [new V1CertificateSigningRequestCondition { Type = "Approved", Status = "True" }],
                Certificate = "not a certificate"u8.ToArray(),
            },
        };
        Assert.Null(CsrCleanerController.Reason(csr, Now));
        csr.Status.Conditions.Clear();
        Assert.Null(CsrCleanerController.Reason(csr, Now));
    }

    [Fact]
    public async Task Controller_DeletesEachRequestWhenItsDeadlinePasses_OnTheFakeClock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        CsrCleanerController? cleaner = null;
        var passes = System.Threading.Channels.Channel.CreateUnbounded<bool>();
        await using var h = await ControllerHarness.StartAsync([new ControllerDescriptor("csrcleaner", true, ctx =>
        {
            cleaner = CsrCleanerController.Register(ctx);
            cleaner.PassCompleted += () => passes.Writer.TryWrite(true);
        })], clock);
        var csrs = h.Clientset.Resource<V1CertificateSigningRequest, V1CertificateSigningRequestList>();
        await CreateAsync(h, "pending");
        await CreateAsync(h, "denied");
        var denied = await csrs.GetAsync("denied");
        denied.Status = new V1CertificateSigningRequestStatus
        {
            Conditions = [new V1CertificateSigningRequestCondition { Type = "Denied", Status = "True", Reason = "Test", LastUpdateTime = clock.GetUtcNow().UtcDateTime }],
        };
        denied.ApiVersion = "certificates.k8s.io/v1";
        denied.Kind = "CertificateSigningRequest";
        await h.Rest.Put().ApiVersion("certificates.k8s.io/v1").Resource("certificatesigningrequests").Name("denied").SubResource("approval").Body(denied).DoAsync(CancellationToken.None);

        // The first pass (at start) has run, so the hourly timer exists; the cleaner's cache holds the denial.
        await passes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        await UntilCachedAsync(h, "denied", c => c.Status?.Conditions?.Count > 0);
        await UntilCachedAsync(h, "pending", _ => true);

        // One hour later (one polling interval): the denial is older than an hour, the pending request is not a day old.
        clock.Advance(CsrCleanerController.PollingInterval + TimeSpan.FromMinutes(1));
        var left = await ListWatch.UntilAsync(csrs, l => l.All(c => c.Metadata.Name != "denied"));
        Assert.Equal(["pending"], left.Select(c => c.Metadata.Name));
        await passes.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(["pending"], (await csrs.ListAsync()).Items.Select(c => c.Metadata.Name));

        // A day later the pending one goes too.
        clock.Advance(TimeSpan.FromHours(23));
        await ListWatch.UntilAsync(csrs, l => l.Count == 0);
    }

    /// <summary>Waits until the manager's shared CSR cache (the cleaner's) holds <paramref name="name"/> satisfying <paramref name="predicate"/>.</summary>
    private static async Task UntilCachedAsync(ControllerHarness h, string name, Func<V1CertificateSigningRequest, bool> predicate)
    {
        var informer = h.Manager.Informers.Informer<V1CertificateSigningRequest>();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(V1CertificateSigningRequest c)
        {
            if (c.Metadata.Name == name && predicate(c))
            {
                seen.TrySetResult();
            }
        }

        informer.AddEventHandler(new Skiff.Client.Cache.ResourceEventHandler<V1CertificateSigningRequest>((c, _) => Check(c), (_, c) => Check(c)));
        if (informer.Lister.Get(null, name) is { } cached)
        {
            Check(cached);
        }

        await seen.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    private static async Task CreateAsync(ControllerHarness h, string name)
    {
        var (pem, key) = CsrTestRequests.Create("alice", ["devs"]);
        key.Dispose();
        await h.Clientset.Resource<V1CertificateSigningRequest, V1CertificateSigningRequestList>().CreateAsync(new V1CertificateSigningRequest
        {
            ApiVersion = "certificates.k8s.io/v1",
            Kind = "CertificateSigningRequest",
            Metadata = new V1ObjectMeta { Name = name },
            Spec = new V1CertificateSigningRequestSpec { Request = Encoding.ASCII.GetBytes(pem), SignerName = "kubernetes.io/kube-apiserver-client", Usages = ["client auth"] },
        });
    }

    private static byte[] CertificateExpiring(DateTimeOffset notAfter)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var cert = new CertificateRequest("CN=alice", key, HashAlgorithmName.SHA256).CreateSelfSigned(notAfter.AddDays(-30), notAfter);
        return Encoding.ASCII.GetBytes(cert.ExportCertificatePem());
    }
}
