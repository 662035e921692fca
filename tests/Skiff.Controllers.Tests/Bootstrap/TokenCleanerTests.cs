using System.Text;
using k8s.Models;
using Microsoft.Extensions.Time.Testing;
using Skiff.Api.Certificates;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.Bootstrap;

/// <summary>tokencleaner on a fake clock: expired bootstrap tokens in kube-system go at their expiry, nothing else does.</summary>
public sealed class TokenCleanerTests
{
    [Fact]
    public void TokenCleaner_IsOffByDefault_AsUpstream()
    {
        Assert.False(BuiltInControllers.All.Single(c => c.Name == "tokencleaner").EnabledByDefault);
        Assert.True(BuiltInControllers.All.Single(c => c.Name == "csrcleaner").EnabledByDefault);
        Assert.DoesNotContain(BuiltInControllers.Select(["*"]), c => c.Name == "tokencleaner");
    }

    [Theory]
    [InlineData(null, 0, false)]
    [InlineData("", 0, false)]
    [InlineData("garbage", 0, true)]
    [InlineData("2026-06-01T11:59:59Z", 0, true)]
    [InlineData("2026-06-01T12:00:00Z", 0, true)]
    [InlineData("2026-06-01T13:00:00Z", 3600, false)]
    public void Expiration_IsUpstreamsGetExpiration(string? expiration, int ttlSeconds, bool expired)
    {
        var (ttl, gone) = BootstrapTokenExpiration.Of(expiration, new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        Assert.Equal(TimeSpan.FromSeconds(ttlSeconds), ttl);
        Assert.Equal(expired, gone);
    }

    [Fact]
    public async Task ExpiredTokens_AreDeleted_AtTheirExpiry_OthersStay()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["tokencleaner"]), clock);
        var secrets = h.Clientset.CoreV1().Secrets("kube-system");
        var now = clock.GetUtcNow();
        await secrets.CreateAsync(Token("bootstrap-token-gone01", now.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ")));
        await secrets.CreateAsync(Token("bootstrap-token-later1", now.AddHours(2).ToString("yyyy-MM-ddTHH:mm:ssZ")));
        await secrets.CreateAsync(Token("bootstrap-token-never1", null));
        var notAToken = Token("opaque-with-expiration", now.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ"));
        notAToken.Type = "Opaque";
        await secrets.CreateAsync(notAToken);
        var ns = await h.NamespaceAsync();
        await h.Clientset.CoreV1().Secrets(ns).CreateAsync(Token("bootstrap-token-other1", now.AddMinutes(-1).ToString("yyyy-MM-ddTHH:mm:ssZ")));

        static bool Has(IReadOnlyList<V1Secret> l, string name) => l.Any(s => s.Metadata.Name == name);
        var left = await ListWatch.UntilAsync(secrets, l => !Has(l, "bootstrap-token-gone01"));
        Assert.True(Has(left, "bootstrap-token-later1") && Has(left, "bootstrap-token-never1") && Has(left, "opaque-with-expiration"));

        // Its expiry passes on the fake clock: the queued re-check deletes it.
        clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1));
        left = await ListWatch.UntilAsync(secrets, l => !Has(l, "bootstrap-token-later1"));
        Assert.True(Has(left, "bootstrap-token-never1") && Has(left, "opaque-with-expiration"));
        Assert.Single((await h.Clientset.CoreV1().Secrets(ns).ListAsync()).Items);
    }

    private static V1Secret Token(string name, string? expiration)
    {
        var data = new Dictionary<string, byte[]>
        {
            ["token-id"] = Encoding.UTF8.GetBytes(name[^6..]),
            ["token-secret"] = Encoding.UTF8.GetBytes("0123456789abcdef"),
            ["usage-bootstrap-authentication"] = Encoding.UTF8.GetBytes("true"),
        };
        if (expiration is not null)
        {
            data["expiration"] = Encoding.UTF8.GetBytes(expiration);
        }

        return new V1Secret { Metadata = new V1ObjectMeta { Name = name }, Type = BootstrapTokenExpiration.SecretType, Data = data };
    }
}
