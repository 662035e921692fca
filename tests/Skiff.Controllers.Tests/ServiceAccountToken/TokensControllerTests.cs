using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Controllers.ServiceAccountToken;
using Skiff.Controllers.Tests.Testing;
using Xunit;

namespace Skiff.Controllers.Tests.ServiceAccountToken;

/// <summary>The legacy token controller fills token Secrets, whose tokens then authenticate; it deletes them with their ServiceAccount.</summary>
public sealed class TokensControllerTests
{
    [Fact]
    public async Task TokenSecret_IsFilled_TokenAuthenticatesWithRealKubectl_AndSecretGoesWithItsServiceAccount()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["serviceaccount-token"]));
        var ns = await h.NamespaceAsync();
        var sa = await h.Clientset.CoreV1().ServiceAccounts(ns).CreateAsync(new V1ServiceAccount { Metadata = new() { Name = "legacy" } });
        await h.Clientset.CoreV1().Secrets(ns).CreateAsync(new V1Secret
        {
            Metadata = new() { Name = "legacy-token", Annotations = new Dictionary<string, string> { [TokensController.NameAnnotation] = "legacy" } },
            Type = TokensController.SecretType,
        });

        var secrets = h.Clientset.CoreV1().Secrets(ns);
        var filled = (await ListWatch.UntilAsync(secrets, l => l.Any(s => s.Data?.ContainsKey("token") == true))).Single();

        Assert.Equal(sa.Metadata.Uid, filled.Metadata.Annotations[TokensController.UidAnnotation]);
        Assert.Equal(ns, Encoding.UTF8.GetString(filled.Data["namespace"]));
        Assert.Contains("BEGIN CERTIFICATE", Encoding.UTF8.GetString(filled.Data["ca.crt"]), StringComparison.Ordinal);
        var token = Encoding.UTF8.GetString(filled.Data["token"]);
        var kubeconfig = Path.Combine(h.ControlPlane.DataDirectory, "legacy.kubeconfig");
        var ca = Convert.ToBase64String(Encoding.UTF8.GetBytes(h.ControlPlane.Host.Certificates.CaPem));
        await File.WriteAllTextAsync(kubeconfig, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster: {server: "{{h.ControlPlane.Host.Url}}", certificate-authority-data: "{{ca}}"}
            users:
            - name: u
              user: {token: "{{token}}"}
            contexts:
            - name: c
              context: {cluster: c, user: u}
            current-context: c
            """);
        var whoami = JsonNode.Parse(await new Kubectl(kubeconfig).OkAsync("auth", "whoami", "-o", "json"))!;
        Assert.Equal($"system:serviceaccount:{ns}:legacy", (string?)whoami["status"]!["userInfo"]!["username"]);

        await h.Clientset.CoreV1().ServiceAccounts(ns).DeleteAsync("legacy");
        await ListWatch.UntilAsync(secrets, l => l.Count == 0);
    }

    [Fact]
    public async Task TokenSecret_ForMissingServiceAccount_IsDeleted()
    {
        await using var h = await ControllerHarness.StartAsync(BuiltInControllers.Select(["serviceaccount-token"]));
        var ns = await h.NamespaceAsync();
        var secrets = h.Clientset.CoreV1().Secrets(ns);
        await secrets.CreateAsync(new V1Secret
        {
            Metadata = new() { Name = "orphan-token", Annotations = new Dictionary<string, string> { [TokensController.NameAnnotation] = "ghost" } },
            Type = TokensController.SecretType,
        });

        var left = await ListWatch.UntilAsync(secrets, l => l.Count == 0);

        Assert.Empty(left);
    }
}
