using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Client.Rest;
using Skiff.Client.Tests.Testing;
using Xunit;

namespace Skiff.Client.Tests.Rest;

/// <summary>Real TLS against a loopback Kestrel that requires client certificates: the kubeconfig's CA, cert and key must all work.</summary>
public sealed class TlsKubeConfigTests : IAsyncLifetime
{
    private readonly TestCertificates _certs = new();
    private WebApplication? _app;
    private string _server = "";

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(new HttpsConnectionAdapterOptions
        {
            ServerCertificate = _certs.Server,
            ClientCertificateMode = ClientCertificateMode.AllowCertificate,
            ClientCertificateValidation = (_, _, _) => true,
        })));
        _app = builder.Build();
        _app.MapGet("/api/v1/namespaces/default/pods/p", (HttpContext ctx) =>
        {
            var cn = ctx.Connection.ClientCertificate?.GetNameInfo(X509NameType.SimpleName, false) ?? "";
            var auth = ctx.Request.Headers.Authorization.ToString();
            var labels = new System.Text.Json.Nodes.JsonObject { ["cn"] = cn, ["auth"] = auth.Replace(' ', '_') };
            var pod = new System.Text.Json.Nodes.JsonObject
            {
                ["kind"] = "Pod",
                ["apiVersion"] = "v1",
                ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = "p", ["namespace"] = "default", ["labels"] = labels },
            };
            return Results.Text(pod.ToJsonString(), "application/json");
        });
        await _app.StartAsync();
        _server = _app.Urls.First();
    }

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    private string KubeConfigYaml(bool withCa, bool withClientCert, bool insecure, string? token = null)
    {
        static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
        var sb = new StringBuilder();
        sb.AppendLine("current-context: t").AppendLine("clusters:").AppendLine("- name: c").AppendLine("  cluster:")
            .AppendLine($"    server: {_server}");
        if (withCa) sb.AppendLine($"    certificate-authority-data: {B64(TestCertificates.CertPem(_certs.Ca))}");
        if (insecure) sb.AppendLine("    insecure-skip-tls-verify: true");
        sb.AppendLine("users:").AppendLine("- name: u").AppendLine("  user:");
        if (withClientCert)
        {
            sb.AppendLine($"    client-certificate-data: {B64(TestCertificates.CertPem(_certs.Client))}")
              .AppendLine($"    client-key-data: {B64(TestCertificates.KeyPem(_certs.Client))}");
        }

        sb.AppendLine($"    token: {token ?? "\"\""}");
        sb.AppendLine("contexts:").AppendLine("- name: t").AppendLine("  context:").AppendLine("    cluster: c").AppendLine("    user: u");
        return sb.ToString();
    }

    [Fact]
    public async Task Get_KubeConfigWithCaAndClientCertData_MutualTlsSucceeds()
    {
        var cfg = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.Parse(KubeConfigYaml(withCa: true, withClientCert: true, insecure: false)));
        using var client = new RestClient(cfg);
        var pod = (await client.Get().Namespace("default").Resource("pods").Name("p").DoAsync()).Into<k8s.Models.V1Pod>();
        Assert.Equal("alice", pod.Metadata.Labels["cn"]);
    }

    [Fact]
    public async Task Get_ClientCertAndKeyFiles_MutualTlsSucceeds()
    {
        var dir = Directory.CreateTempSubdirectory("kubecerts");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "ca.crt"), TestCertificates.CertPem(_certs.Ca));
            File.WriteAllText(Path.Combine(dir.FullName, "c.crt"), TestCertificates.CertPem(_certs.Client));
            File.WriteAllText(Path.Combine(dir.FullName, "c.key"), TestCertificates.KeyPem(_certs.Client));
            var yaml = $$"""
                current-context: t
                clusters:
                - name: c
                  cluster: {server: "{{_server}}", certificate-authority: ca.crt}
                users:
                - name: u
                  user: {client-certificate: c.crt, client-key: c.key}
                contexts:
                - name: t
                  context: {cluster: c, user: u}
                """;
            File.WriteAllText(Path.Combine(dir.FullName, "config"), yaml);
            var cfg = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(Path.Combine(dir.FullName, "config")));
            using var client = new RestClient(cfg);
            var pod = (await client.Get().Namespace("default").Resource("pods").Name("p").DoAsync()).Into<k8s.Models.V1Pod>();
            Assert.Equal("alice", pod.Metadata.Labels["cn"]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Get_NoCaConfigured_ServerCertificateRejected()
    {
        var cfg = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.Parse(KubeConfigYaml(withCa: false, withClientCert: false, insecure: false)));
        using var client = new RestClient(cfg);
        await Assert.ThrowsAsync<HttpRequestException>(() => client.Get().Namespace("default").Resource("pods").Name("p").DoAsync());
    }

    [Fact]
    public async Task Get_InsecureSkipTlsVerifyWithToken_SendsBearerToken()
    {
        var cfg = ClientConfigLoader.FromKubeConfig(KubeConfigLoader.Parse(KubeConfigYaml(withCa: false, withClientCert: false, insecure: true, token: "abc")));
        using var client = new RestClient(cfg);
        var pod = (await client.Get().Namespace("default").Resource("pods").Name("p").DoAsync()).Into<k8s.Models.V1Pod>();
        Assert.Equal("Bearer_abc", pod.Metadata.Labels["auth"]);
        Assert.Equal("", pod.Metadata.Labels["cn"]);
    }
}
