using Microsoft.Extensions.Time.Testing;
using Skiff.Kubelet.Volumes;
using Xunit;

namespace Skiff.Kubelet.Tests.Volumes;

/// <summary>The kubelet's token cache: reuse, refresh at 80 % of the lifetime or 24 h, the cached token on failure.</summary>
public sealed class ServiceAccountTokenManagerTests
{
    private static readonly ServiceAccountTokenManager.Key Key = new("pod-uid", "ns", "default", "", 3600);
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private int _fetches;

    [Fact]
    public async Task Token_IsReused_UntilEightyPercentOfItsLifetime()
    {
        var m = new ServiceAccountTokenManager(_clock);

        Assert.Equal("t1", await m.GetAsync(Key, Fetch(TimeSpan.FromHours(1)), default));
        _clock.Advance(TimeSpan.FromMinutes(47));
        Assert.Equal("t1", await m.GetAsync(Key, Fetch(TimeSpan.FromHours(1)), default));
        _clock.Advance(TimeSpan.FromMinutes(1)); // 48 min = 80 % of an hour
        Assert.Equal("t2", await m.GetAsync(Key, Fetch(TimeSpan.FromHours(1)), default));
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task LongLivedToken_IsRefreshedAfterADay()
    {
        var m = new ServiceAccountTokenManager(_clock);

        Assert.Equal("t1", await m.GetAsync(Key, Fetch(TimeSpan.FromDays(365)), default));
        _clock.Advance(TimeSpan.FromHours(23));
        Assert.Equal("t1", await m.GetAsync(Key, Fetch(TimeSpan.FromDays(365)), default));
        _clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal("t2", await m.GetAsync(Key, Fetch(TimeSpan.FromDays(365)), default));
    }

    [Fact]
    public async Task FailedRefresh_ServesTheCachedTokenUntilItExpires()
    {
        var m = new ServiceAccountTokenManager(_clock);
        await m.GetAsync(Key, Fetch(TimeSpan.FromHours(1)), default);
        _clock.Advance(TimeSpan.FromMinutes(50));

        Assert.Equal("t1", await m.GetAsync(Key, _ => throw new HttpRequestException("down"), default));
        _clock.Advance(TimeSpan.FromMinutes(11));
        await Assert.ThrowsAsync<HttpRequestException>(() => m.GetAsync(Key, _ => throw new HttpRequestException("down"), default));
    }

    [Fact]
    public async Task Forget_DropsThePodsTokens()
    {
        var m = new ServiceAccountTokenManager(_clock);
        await m.GetAsync(Key, Fetch(TimeSpan.FromHours(1)), default);
        await m.GetAsync(Key with { PodUid = "other" }, Fetch(TimeSpan.FromHours(1)), default);

        m.Forget("pod-uid");

        Assert.Equal(1, m.Count);
        Assert.Equal("t3", await m.GetAsync(Key, Fetch(TimeSpan.FromHours(1)), default));
    }

    private Func<CancellationToken, Task<ServiceAccountTokenManager.Token?>> Fetch(TimeSpan lifetime) => _ =>
    {
        _fetches++;
        return Task.FromResult<ServiceAccountTokenManager.Token?>(new("t" + _fetches, _clock.GetUtcNow() + lifetime));
    };
}
