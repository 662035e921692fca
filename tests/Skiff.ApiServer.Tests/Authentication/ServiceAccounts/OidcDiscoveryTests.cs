using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Authentication.ServiceAccounts;

/// <summary>Service-account issuer discovery: the OIDC configuration and the JWK set verify the server's tokens.</summary>
public sealed class OidcDiscoveryTests
{
    [Fact]
    public async Task Configuration_And_Jwks_HaveUpstreamShapes_AndVerifyIssuedTokens()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var kubectl = new Kubectl(cp.KubeconfigPath);
        await kubectl.OkAsync("create", "serviceaccount", "robot");
        var token = (await kubectl.OkAsync("create", "token", "robot")).Trim();

        var config = JsonNode.Parse(await kubectl.OkAsync("get", "--raw", "/.well-known/openid-configuration"))!;
        Assert.Equal("https://kubernetes.default.svc.cluster.local", (string?)config["issuer"]);
        Assert.EndsWith("/openid/v1/jwks", (string?)config["jwks_uri"], StringComparison.Ordinal);
        Assert.Equal(["id_token"], config["response_types_supported"]!.AsArray().Select(x => (string?)x));
        Assert.Equal(["public"], config["subject_types_supported"]!.AsArray().Select(x => (string?)x));
        Assert.Equal(["RS256"], config["id_token_signing_alg_values_supported"]!.AsArray().Select(x => (string?)x));

        var (status, _, response) = await cp.SendAsync(HttpMethod.Get, "/openid/v1/jwks");
        Assert.Equal(200, status);
        Assert.Equal("application/jwk-set+json", response.Content.Headers.ContentType?.MediaType);
        var jwks = new JsonWebKeySet(await response.Content.ReadAsStringAsync());
        var key = Assert.Single(jwks.Keys);
        Assert.Equal("sig", key.Use);
        Assert.Equal("RSA", key.Kty);
        Assert.Equal("RS256", key.Alg);
        Assert.Equal(new JsonWebToken(token).Kid, key.Kid);

        // Both spellings, as upstream's routes and its system:service-account-issuer-discovery role allow.
        var (slashStatus, slashBody, _) = await cp.SendAsync(HttpMethod.Get, "/openid/v1/jwks/");
        Assert.Equal(200, slashStatus);
        Assert.Equal(JsonNode.Parse(await response.Content.ReadAsStringAsync())!.ToJsonString(), slashBody!.ToJsonString());
        Assert.Equal(config.ToJsonString(), JsonNode.Parse(await kubectl.OkAsync("get", "--raw", "/.well-known/openid-configuration/"))!.ToJsonString());

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidIssuer = (string?)config["issuer"],
            ValidAudience = "https://kubernetes.default.svc.cluster.local",
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    [Fact]
    public async Task Discovery_Anonymous_IsForbidden()
    {
        await using var cp = await TestControlPlane.StartAsync();
        using var anonymous = cp.CreateAnonymousClient();

        var response = await anonymous.GetAsync(new Uri(cp.BaseAddress, "/openid/v1/jwks"));

        // As upstream: system:service-account-issuer-discovery is bound to system:serviceaccounts, not to anonymous users.
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, response.StatusCode);
    }
}
