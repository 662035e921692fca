using System.Text.Json.Nodes;
using Microsoft.IdentityModel.JsonWebTokens;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.ApiServer.Tests.Authentication.ServiceAccounts;

/// <summary>
/// TokenRequest through the REAL kubectl (<c>kubectl create token</c>) and the tokens it returns authenticating the
/// real kubectl as the service account (<c>kubectl auth whoami --token</c>).
/// </summary>
public sealed class TokenRequestKubectlTests
{
    [Fact]
    public async Task CreateToken_ThenWhoamiWithIt_IsTheServiceAccount_RealKubectl()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var kubectl = new Kubectl(cp.KubeconfigPath);
        await kubectl.OkAsync("create", "serviceaccount", "robot");

        var token = (await kubectl.OkAsync("create", "token", "robot")).Trim();
        var info = await WhoamiAsync(cp, token);

        Assert.Equal("system:serviceaccount:default:robot", (string?)info["username"]);
        Assert.Equal(["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"], info["groups"]!.AsArray().Select(g => (string?)g));
        var saUid = JsonNode.Parse(await kubectl.OkAsync("get", "sa", "robot", "-o", "json"))!["metadata"]!["uid"]!.GetValue<string>();
        Assert.Equal(saUid, (string?)info["uid"]);
        Assert.StartsWith("JTI=", (string?)info["extra"]!["authentication.kubernetes.io/credential-id"]![0], StringComparison.Ordinal);

        var jwt = new JsonWebToken(token);
        Assert.Equal("https://kubernetes.default.svc.cluster.local", jwt.Issuer);
        Assert.Equal(["https://kubernetes.default.svc.cluster.local"], jwt.Audiences);
        Assert.Equal("system:serviceaccount:default:robot", jwt.Subject);
        Assert.Equal(3600, (jwt.ValidTo - jwt.IssuedAt).TotalSeconds);
        Assert.Equal(cp.Host.ServiceAccountKeys.SigningKey.KeyId, jwt.Kid);
        Assert.Equal("RS256", jwt.Alg);
    }

    [Fact]
    public async Task CreateToken_BoundToPod_CarriesThePod_AndStopsWorkingWhenThePodIsDeleted_RealKubectl()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var kubectl = new Kubectl(cp.KubeconfigPath);
        await kubectl.OkAsync("create", "serviceaccount", "robot");
        await kubectl.RunAsync(["apply", "-f", "-"], stdin: """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"busybox"}]}}
            """);
        var podUid = JsonNode.Parse(await kubectl.OkAsync("get", "pod", "p", "-o", "json"))!["metadata"]!["uid"]!.GetValue<string>();

        var token = (await kubectl.OkAsync("create", "token", "robot", "--bound-object-kind", "Pod", "--bound-object-name", "p", "--duration", "20m")).Trim();
        var info = await WhoamiAsync(cp, token);

        Assert.Equal("p", (string?)info["extra"]!["authentication.kubernetes.io/pod-name"]![0]);
        Assert.Equal(podUid, (string?)info["extra"]!["authentication.kubernetes.io/pod-uid"]![0]);
        var claims = JsonNode.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(new JsonWebToken(token).EncodedPayload))!;
        Assert.Equal("p", (string?)claims["kubernetes.io"]!["pod"]!["name"]);
        Assert.Equal(podUid, (string?)claims["kubernetes.io"]!["pod"]!["uid"]);
        Assert.Equal("default", (string?)claims["kubernetes.io"]!["namespace"]);
        Assert.Equal("robot", (string?)claims["kubernetes.io"]!["serviceaccount"]!["name"]);
        Assert.Equal(1200, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());

        await kubectl.OkAsync("delete", "pod", "p", "--grace-period=0", "--force");
        using var client = cp.CreateTokenClient(token);
        await UntilAsync(async () => (await client.GetAsync(new Uri(cp.BaseAddress, "/api/v1/namespaces"))).StatusCode == System.Net.HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task CreateToken_ForAnotherAudience_IsNotAcceptedByTheApiServer_RealKubectl()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var kubectl = new Kubectl(cp.KubeconfigPath);
        await kubectl.OkAsync("create", "serviceaccount", "robot");

        var token = (await kubectl.OkAsync("create", "token", "robot", "--audience", "vault")).Trim();
        var (exit, stdout, stderr) = await new Kubectl(TokenKubeconfig(cp, token)).RunAsync(["auth", "whoami"]);

        Assert.Equal(["vault"], new JsonWebToken(token).Audiences);
        Assert.NotEqual(0, exit);
        Assert.Contains("You must be logged in to the server", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateToken_ShorterThanTenMinutes_IsInvalid_AndMissingServiceAccount_IsNotFound_RealKubectl()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var kubectl = new Kubectl(cp.KubeconfigPath);
        await kubectl.OkAsync("create", "serviceaccount", "robot");

        var (exit, stdout, stderr) = await kubectl.RunAsync(["create", "token", "robot", "--duration", "5m"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("may not specify a duration less than 10 minutes", stdout + stderr, StringComparison.Ordinal);

        (exit, stdout, stderr) = await kubectl.RunAsync(["create", "token", "ghost"]);
        Assert.NotEqual(0, exit);
        Assert.Contains("serviceaccounts \"ghost\" not found", stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenRequest_BoundToPodOfAnotherServiceAccount_IsBadRequest_AndUidMismatch_IsConflict()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var kubectl = new Kubectl(cp.KubeconfigPath);
        await kubectl.OkAsync("create", "serviceaccount", "robot");
        await kubectl.RunAsync(["apply", "-f", "-"], stdin: """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"busybox"}]}}
            """);
        await kubectl.OkAsync("create", "secret", "generic", "s");

        var (status, body, _) = await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/serviceaccounts/robot/token", Request("Pod", "p", null));
        Assert.Equal(400, status);
        Assert.Contains("to pod running with different serviceaccount name", (string?)body!["message"], StringComparison.Ordinal);

        (status, body, _) = await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/serviceaccounts/robot/token", Request("Secret", "s", "wrong-uid"));
        Assert.Equal(409, status);
        Assert.Contains("does not match the UID in record", (string?)body!["message"], StringComparison.Ordinal);

        (status, body, _) = await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/serviceaccounts/robot/token", Request("ConfigMap", "x", null));
        Assert.Equal(400, status);
        Assert.Contains("cannot bind token to object of type", (string?)body!["message"], StringComparison.Ordinal);

        (status, body, _) = await cp.SendAsync(HttpMethod.Post, "/api/v1/namespaces/default/serviceaccounts/robot/token", Request("Secret", "s", null));
        Assert.Equal(201, status);
        Assert.Equal("TokenRequest", (string?)body!["kind"]);
        Assert.Equal(["https://kubernetes.default.svc.cluster.local"], body["spec"]!["audiences"]!.AsArray().Select(a => (string?)a));
        var claims = JsonNode.Parse(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Decode(new JsonWebToken((string)body["status"]!["token"]!).EncodedPayload))!;
        Assert.Equal("s", (string?)claims["kubernetes.io"]!["secret"]!["name"]);
        Assert.NotNull(body["status"]!["expirationTimestamp"]);
    }

    [Fact]
    public async Task TokenReview_AnswersWhetherATokenAuthenticates()
    {
        await using var cp = await TestControlPlane.StartAsync();
        var kubectl = new Kubectl(cp.KubeconfigPath);
        await kubectl.OkAsync("create", "serviceaccount", "robot");
        var token = (await kubectl.OkAsync("create", "token", "robot")).Trim();

        JsonNode review = new JsonObject
        {
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["kind"] = "TokenReview",
            ["spec"] = new JsonObject { ["token"] = token },
        };
        var (status, body, _) = await cp.SendAsync(HttpMethod.Post, "/apis/authentication.k8s.io/v1/tokenreviews", review);
        Assert.Equal(201, status);
        Assert.True((bool)body!["status"]!["authenticated"]!);
        Assert.Equal("system:serviceaccount:default:robot", (string?)body["status"]!["user"]!["username"]);

        review["spec"]!["token"] = token[..^4] + "AAAA";
        (status, body, _) = await cp.SendAsync(HttpMethod.Post, "/apis/authentication.k8s.io/v1/tokenreviews", review);
        Assert.Equal(201, status);
        Assert.Null(body!["status"]!["authenticated"]);
        Assert.NotNull(body["status"]!["error"]);
    }

    private static JsonObject Request(string kind, string name, string? uid)
    {
        var bound = new JsonObject { ["apiVersion"] = "v1", ["kind"] = kind, ["name"] = name };
        if (uid is not null)
        {
            bound["uid"] = uid;
        }

        return new JsonObject
        {
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["kind"] = "TokenRequest",
            ["spec"] = new JsonObject { ["boundObjectRef"] = bound },
        };
    }

    /// <summary><c>kubectl auth whoami -o json</c> with a kubeconfig holding only <paramref name="token"/> (no client certificate).</summary>
    internal static async Task<JsonNode> WhoamiAsync(TestControlPlane cp, string token)
    {
        var json = await new Kubectl(TokenKubeconfig(cp, token)).OkAsync("auth", "whoami", "-o", "json");
        return JsonNode.Parse(json)!["status"]!["userInfo"]!;
    }

    /// <summary>Writes a kubeconfig for the control plane that authenticates with <paramref name="token"/> only.</summary>
    internal static string TokenKubeconfig(TestControlPlane cp, string token)
    {
        var path = Path.Combine(cp.DataDirectory, "token-" + Guid.NewGuid().ToString("N")[..8] + ".kubeconfig");
        var ca = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(cp.Host.Certificates.CaPem));
        File.WriteAllText(path, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: skiff
              cluster: {server: "{{cp.Host.Url}}", certificate-authority-data: "{{ca}}"}
            users:
            - name: sa
              user: {token: "{{token}}"}
            contexts:
            - name: skiff
              context: {cluster: skiff, user: sa}
            current-context: skiff
            """);
        return path;
    }

    /// <summary>Re-checks <paramref name="condition"/> until it holds; fails after 20 seconds.</summary>
    internal static async Task UntilAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (!await condition())
        {
            await Task.Delay(50, deadline.Token);
        }
    }
}
