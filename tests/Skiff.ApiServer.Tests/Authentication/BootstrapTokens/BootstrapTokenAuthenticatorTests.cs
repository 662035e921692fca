using System.Net;
using Skiff.ApiServer.Tests.Authentication.ServiceAccounts;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Authentication.BootstrapTokens;

/// <summary>Bootstrap tokens (Secrets <c>kube-system/bootstrap-token-ID</c>) with the real kubectl.</summary>
public sealed class BootstrapTokenAuthenticatorTests
{
    [Fact]
    public async Task BootstrapToken_AuthenticatesAsSystemBootstrap_WithExtraGroups_RealKubectl()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var kubectl = new Kubectl(cp.KubeconfigPath);
        await CreateTokenSecretAsync(kubectl, "abcdef", "0123456789abcdef", "--from-literal=auth-extra-groups=system:bootstrappers:worker",
            "--from-literal=expiration=" + DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));

        var info = await TokenRequestKubectlTests.WhoamiAsync(cp, "abcdef.0123456789abcdef");
        Assert.Equal("system:bootstrap:abcdef", (string?)info["username"]);
        Assert.Equal(["system:bootstrappers", "system:bootstrappers:worker", "system:authenticated"], info["groups"]!.AsArray().Select(g => (string?)g));

        // The bootstrap binding lets it create CSRs, and nothing else.
        var tokenKubectl = new Kubectl(TokenRequestKubectlTests.TokenKubeconfig(cp, "abcdef.0123456789abcdef"));
        Assert.Equal("yes", (await tokenKubectl.OkAsync("auth", "can-i", "create", "certificatesigningrequests")).Trim());
        Assert.Equal("no", (await tokenKubectl.RunAsync(["auth", "can-i", "list", "secrets"])).Out.Trim());
    }

    [Fact]
    public async Task BootstrapToken_WrongSecret_Expired_OrNotForAuthentication_Is401()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var kubectl = new Kubectl(cp.KubeconfigPath);
        await CreateTokenSecretAsync(kubectl, "aaaaaa", "0123456789abcdef",
            "--from-literal=expiration=" + DateTimeOffset.UtcNow.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture));
        await CreateTokenSecretAsync(kubectl, "bbbbbb", "0123456789abcdef", usage: "false");
        await CreateTokenSecretAsync(kubectl, "cccccc", "0123456789abcdef");

        foreach (var token in new[] { "aaaaaa.0123456789abcdef", "bbbbbb.0123456789abcdef", "cccccc.0123456789abcdeX", "cccccc.fedcba9876543210" })
        {
            using var client = cp.CreateTokenClient(token);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(new Uri(cp.BaseAddress, "/api/v1/namespaces"))).StatusCode);
        }

        using var good = cp.CreateTokenClient("cccccc.0123456789abcdef");
        Assert.Equal(HttpStatusCode.Forbidden, (await good.GetAsync(new Uri(cp.BaseAddress, "/api/v1/namespaces"))).StatusCode);
    }

    private static Task CreateTokenSecretAsync(Kubectl kubectl, string id, string secret, string? extra = null, string? expiration = null, string usage = "true")
    {
        var args = new List<string>
        {
            "create", "secret", "generic", "bootstrap-token-" + id, "-n", "kube-system", "--type=bootstrap.kubernetes.io/token",
            "--from-literal=token-id=" + id, "--from-literal=token-secret=" + secret, "--from-literal=usage-bootstrap-authentication=" + usage,
        };
        args.AddRange(new[] { extra, expiration }.OfType<string>());
        return kubectl.OkAsync([.. args]);
    }
}
