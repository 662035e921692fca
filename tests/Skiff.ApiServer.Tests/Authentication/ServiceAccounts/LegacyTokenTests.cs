using System.Text.Json.Nodes;
using Skiff.ApiServer.Authentication.ServiceAccounts;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Authentication.ServiceAccounts;

/// <summary>Legacy secret-based tokens (issuer <c>kubernetes/serviceaccount</c>) authenticate while their Secret holds them.</summary>
public sealed class LegacyTokenTests
{
    [Fact]
    public async Task LegacyToken_InItsSecret_Authenticates_RealKubectl_AndNotOnceTheSecretIsGone()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var kubectl = new Kubectl(cp.KubeconfigPath);
        await kubectl.OkAsync("create", "serviceaccount", "legacy");
        var saUid = JsonNode.Parse(await kubectl.OkAsync("get", "sa", "legacy", "-o", "json"))!["metadata"]!["uid"]!.GetValue<string>();
        var token = cp.Host.TokenIssuer.Sign(TokenIssuer.LegacyClaims("default", new BoundObject("legacy", saUid), "legacy-token"));
        var secret = new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Secret",
            ["metadata"] = new JsonObject
            {
                ["name"] = "legacy-token",
                ["annotations"] = new JsonObject { ["kubernetes.io/service-account.name"] = "legacy", ["kubernetes.io/service-account.uid"] = saUid },
            },
            ["type"] = "kubernetes.io/service-account-token",
            ["data"] = new JsonObject { ["token"] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(token)) },
        };
        var (status, _, _) = await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/secrets", secret);
        Assert.Equal(201, status);

        var info = await TokenRequestKubectlTests.WhoamiAsync(cp, token);
        Assert.Equal("system:serviceaccount:default:legacy", (string?)info["username"]);
        Assert.Contains("system:serviceaccounts:default", info["groups"]!.AsArray().Select(g => (string?)g));

        await kubectl.OkAsync("delete", "secret", "legacy-token");
        using var client = cp.CreateTokenClient(token);
        await TokenRequestKubectlTests.UntilAsync(async () => (await client.GetAsync(new Uri(cp.BaseAddress, "/api/v1/namespaces"))).StatusCode == System.Net.HttpStatusCode.Unauthorized);
    }
}
