using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Skiff.ApiServer.Authentication.ServiceAccounts;
using Skiff.Storage;
using Skiff.Storage.Memory;
using Xunit;

namespace Skiff.ApiServer.Tests.Authentication.ServiceAccounts;

/// <summary>Claims, expiry, audience and bound-object checks of service-account JWTs, on a store and a fake clock.</summary>
public sealed class ServiceAccountTokenAuthenticatorTests : IAsyncLifetime
{
    private readonly string _pki = Directory.CreateTempSubdirectory("skiff-sa-keys-").FullName;
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly MemoryStorage _storage = new();
    private readonly ServiceAccountTokenSettings _settings = new();
    private ServiceAccountKeys _keys = null!;
    private BoundObjectCache _cache = null!;
    private TokenIssuer _issuer = null!;
    private ServiceAccountTokenAuthenticator _auth = null!;

    public async Task InitializeAsync()
    {
        _keys = ServiceAccountKeys.LoadOrCreate(_pki);
        _cache = new BoundObjectCache(_storage, ["/registry/serviceaccounts/", "/registry/pods/", "/registry/secrets/", "/registry/nodes/"], _clock, NullLogger.Instance);
        _cache.Start();
        _issuer = new TokenIssuer(_keys, ServiceAccountTokenSettings.DefaultIssuer, _clock);
        _auth = new ServiceAccountTokenAuthenticator(_keys, _settings, _cache, _clock);
        await PutAsync("/registry/serviceaccounts/ns1/robot", Obj("robot", "sa-uid"));
        await PutAsync("/registry/pods/ns1/p", Obj("p", "pod-uid"));
    }

    public async Task DisposeAsync()
    {
        await _cache.DisposeAsync();
        await _storage.DisposeAsync();
        _keys.Dispose();
        Directory.Delete(_pki, recursive: true);
    }

    [Fact]
    public async Task BoundClaims_HaveUpstreamShape_AndAuthenticateWithPodExtra()
    {
        var claims = _issuer.BoundClaims("ns1", new BoundObject("robot", "sa-uid"), new BoundObject("p", "pod-uid"), null, new BoundObject("n1", "node-uid"), 3600, 0, ["https://kubernetes.default.svc.cluster.local"]);

        Assert.Equal("system:serviceaccount:ns1:robot", (string?)claims["sub"]);
        Assert.Equal(_clock.GetUtcNow().ToUnixTimeSeconds(), (long)claims["iat"]!);
        Assert.Equal((long)claims["iat"]!, (long)claims["nbf"]!);
        Assert.Equal((long)claims["iat"]! + 3600, (long)claims["exp"]!);
        Assert.True(Guid.TryParse((string?)claims["jti"], out _));
        var k8s = claims["kubernetes.io"]!;
        Assert.Equal("ns1", (string?)k8s["namespace"]);
        Assert.Equal("sa-uid", (string?)k8s["serviceaccount"]!["uid"]);
        Assert.Equal("pod-uid", (string?)k8s["pod"]!["uid"]);
        Assert.Equal("n1", (string?)k8s["node"]!["name"]);
        Assert.Null(k8s["warnafter"]);

        var v = await _auth.ValidateAsync(_issuer.Sign(claims), default);

        Assert.True(v.User is not null, v.Error);
        Assert.Equal("sa-uid", v.User.Uid);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:ns1"], v.User.Groups);
        Assert.Equal(["p"], v.User.Extra["authentication.kubernetes.io/pod-name"]);
        Assert.Equal(["pod-uid"], v.User.Extra["authentication.kubernetes.io/pod-uid"]);
        Assert.Equal(["n1"], v.User.Extra["authentication.kubernetes.io/node-name"]);
        Assert.Equal(["JTI=" + (string?)claims["jti"]], v.User.Extra["authentication.kubernetes.io/credential-id"]);
    }

    [Fact]
    public async Task Expiry_IsEnforcedWithOneMinuteLeeway()
    {
        var token = Token(expirationSeconds: 600);

        _clock.Advance(TimeSpan.FromSeconds(600 + 59));
        Assert.NotNull((await _auth.ValidateAsync(token, default)).User);

        _clock.Advance(TimeSpan.FromSeconds(2));
        var v = await _auth.ValidateAsync(token, default);
        Assert.Null(v.User);
        Assert.Equal("service account token has expired", v.Error);
    }

    [Fact]
    public async Task NotYetValid_IsRefused()
    {
        var future = new TokenIssuer(_keys, ServiceAccountTokenSettings.DefaultIssuer, new FakeTimeProvider(_clock.GetUtcNow().AddMinutes(2)));
        var token = future.Sign(future.BoundClaims("ns1", new BoundObject("robot", "sa-uid"), null, null, null, 3600, 0, ["https://kubernetes.default.svc.cluster.local"]));

        Assert.Equal("service account token is not valid yet", (await _auth.ValidateAsync(token, default)).Error);
    }

    [Fact]
    public async Task ForeignAudience_IsRefused()
    {
        var token = _issuer.Sign(_issuer.BoundClaims("ns1", new BoundObject("robot", "sa-uid"), null, null, null, 3600, 0, ["vault"]));

        var v = await _auth.ValidateAsync(token, default);

        Assert.True(v.Handled);
        Assert.Null(v.User);
    }

    [Fact]
    public async Task ForeignIssuer_IsNotHandled_AndGarbageIsNotHandled()
    {
        var other = new TokenIssuer(_keys, "https://elsewhere", _clock);

        Assert.False((await _auth.ValidateAsync(other.Sign(other.BoundClaims("ns1", new BoundObject("robot", "sa-uid"), null, null, null, 3600, 0, ["https://kubernetes.default.svc.cluster.local"])), default)).Handled);
        Assert.False((await _auth.ValidateAsync("not-a-jwt", default)).Handled);
    }

    [Fact]
    public async Task SignatureOfAnotherKey_IsRefused()
    {
        var otherPki = Directory.CreateTempSubdirectory("skiff-sa-keys-").FullName;
        try
        {
            using var otherKeys = ServiceAccountKeys.LoadOrCreate(otherPki);
            var forger = new TokenIssuer(otherKeys, ServiceAccountTokenSettings.DefaultIssuer, _clock);
            var token = forger.Sign(forger.BoundClaims("ns1", new BoundObject("robot", "sa-uid"), null, null, null, 3600, 0, ["https://kubernetes.default.svc.cluster.local"]));

            Assert.Null((await _auth.ValidateAsync(token, default)).User);
        }
        finally
        {
            Directory.Delete(otherPki, recursive: true);
        }
    }

    [Fact]
    public async Task BoundPodDeleted_OrRecreated_InvalidatesTheToken()
    {
        var token = Token(pod: new BoundObject("p", "pod-uid"));
        Assert.NotNull((await _auth.ValidateAsync(token, default)).User);

        await PutAsync("/registry/pods/ns1/p", Obj("p", "other-uid"));
        await UntilRefusedAsync(token, "pod UID (other-uid) does not match service account pod ref claim (pod-uid)");

        var current = await _storage.GetAsync("/registry/pods/ns1/p", 0, default);
        await _storage.CompareAndDeleteAsync("/registry/pods/ns1/p", current!.ModRevision, default);
        await UntilRefusedAsync(token, "service account token has been invalidated");
    }

    [Fact]
    public async Task ServiceAccountRecreated_InvalidatesTheToken()
    {
        var token = Token();
        Assert.NotNull((await _auth.ValidateAsync(token, default)).User);

        await PutAsync("/registry/serviceaccounts/ns1/robot", Obj("robot", "new-uid"));

        await UntilRefusedAsync(token, "service account UID (new-uid) does not match claim (sa-uid)");
    }

    [Fact]
    public async Task KeyId_IsBase64UrlSha256OfTheSubjectPublicKeyInfo()
    {
        var spki = _keys.SigningKey.Rsa.ExportSubjectPublicKeyInfo();
        var expected = Convert.ToBase64String(System.Security.Cryptography.SHA256.HashData(spki)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        Assert.Equal(expected, _keys.SigningKey.KeyId);
        using var again = ServiceAccountKeys.LoadOrCreate(_pki);
        Assert.Equal(expected, again.SigningKey.KeyId); // kept in the data dir, not regenerated
        await Task.CompletedTask;
    }

    private string Token(long expirationSeconds = 3600, BoundObject? pod = null) =>
        _issuer.Sign(_issuer.BoundClaims("ns1", new BoundObject("robot", "sa-uid"), pod, null, null, expirationSeconds, 0, ["https://kubernetes.default.svc.cluster.local"]));

    /// <summary>
    /// Validates <paramref name="token"/> until it is refused with <paramref name="error"/> (the cache sees the store's
    /// change through its watch, a moment after the write); fails after 60 s, a deadline a loaded machine meets.
    /// </summary>
    private async Task UntilRefusedAsync(string token, string error)
    {
        TokenValidation? v = null;
        await Skiff.ApiServer.Tests.Webhooks.WebhookFixture.EventuallyAsync(
            async () => (v = await _auth.ValidateAsync(token, default)).Error == error, "the token to be refused: " + error);

        Assert.Null(v!.User);
    }

    private static JsonObject Obj(string name, string uid) => new() { ["metadata"] = new JsonObject { ["name"] = name, ["uid"] = uid } };

    private async Task PutAsync(string key, JsonObject obj)
    {
        var bytes = Encoding.UTF8.GetBytes(obj.ToJsonString());
        var current = await _storage.GetAsync(key, 0, default);
        if (current is null)
        {
            await _storage.CreateAsync(key, bytes, default);
        }
        else
        {
            await _storage.CompareAndSwapAsync(key, current.ModRevision, bytes, default);
        }
    }
}
