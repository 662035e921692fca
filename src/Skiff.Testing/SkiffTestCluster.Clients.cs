using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Security;
using Skiff.Client.Config;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Testing;

public sealed partial class SkiffTestCluster
{
    /// <summary>
    /// A client configuration for <paramref name="user"/> in <paramref name="groups"/>: a fresh client certificate
    /// signed by the cluster CA (CN user, O groups), as upstream's x509 authenticator reads it. What the user may do is
    /// up to RBAC (bind a role to them first).
    /// </summary>
    public ClientConfig CreateClientConfig(string user, IEnumerable<string> groups)
    {
        var (cert, key) = ClusterCertificates.IssueClientCertificate(Path.Combine(DataDirectory, "pki"), user, groups);
        return ClientConfig with { ClientCertificate = LoadCertificate(cert, key), BearerToken = null };
    }

    /// <summary>A typed client acting as <paramref name="user"/> in <paramref name="groups"/> (dispose it).</summary>
    public Clientset CreateClientset(string user, params string[] groups) => new(CreateClientConfig(user, groups));

    /// <summary>An <see cref="HttpClient"/> acting as <paramref name="user"/> in <paramref name="groups"/>.</summary>
    public HttpClient CreateHttpClient(string user, params string[] groups)
    {
        var (cert, key) = ClusterCertificates.IssueClientCertificate(Path.Combine(DataDirectory, "pki"), user, groups);
        return CreateHttpClient(LoadCertificate(cert, key));
    }

    /// <summary>An <see cref="HttpClient"/> that presents no credentials (requests are <c>system:anonymous</c>).</summary>
    public HttpClient CreateAnonymousHttpClient() => CreateHttpClient(certificate: null);

    /// <summary>An <see cref="HttpClient"/> that sends <paramref name="token"/> as its bearer token.</summary>
    public HttpClient CreateTokenHttpClient(string token)
    {
        var c = CreateHttpClient(certificate: null);
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    /// <summary>Writes a kubeconfig for <paramref name="user"/> in <paramref name="groups"/> into the data directory; returns its path (for kubectl).</summary>
    public string WriteKubeconfig(string user, params string[] groups)
    {
        var (cert, key) = ClusterCertificates.IssueClientCertificate(Path.Combine(DataDirectory, "pki"), user, groups);
        var path = Path.Combine(DataDirectory, $"{Sanitize(user)}-{Guid.NewGuid().ToString("N")[..6]}.kubeconfig");
        File.WriteAllText(path, KubeconfigWriter.Render(Server.Url, Server.Certificates.CaPem, cert, key, userName: user));
        return path;
    }

    /// <summary>
    /// A client configuration for the service account <paramref name="ns"/>/<paramref name="name"/> (which must exist):
    /// a bound token from its TokenRequest subresource, valid for <paramref name="expirationSeconds"/>.
    /// </summary>
    public async Task<ClientConfig> CreateServiceAccountClientConfigAsync(string ns, string name, long expirationSeconds = 3600, CancellationToken ct = default)
    {
        var request = new JsonObject
        {
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["kind"] = "TokenRequest",
            ["spec"] = new JsonObject { ["expirationSeconds"] = expirationSeconds },
        };
        using var resp = await HttpClient.PostAsJsonAsync($"/api/v1/namespaces/{Uri.EscapeDataString(ns)}/serviceaccounts/{Uri.EscapeDataString(name)}/token", request, ct)
            .ConfigureAwait(false);
        var body = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!resp.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"TokenRequest for {ns}/{name} failed ({(int)resp.StatusCode}): {body}");
        }

        var token = JsonNode.Parse(body)?["status"]?["token"]?.GetValue<string>()
            ?? throw new InvalidOperationException($"TokenRequest for {ns}/{name} returned no token");
        return ClientConfig with { ClientCertificate = null, BearerToken = token };
    }

    private HttpClient CreateHttpClient(X509Certificate2? certificate)
    {
        var ca = Server.Certificates.Ca;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) => ClientTls.ChainsTo(cert, [ca]),
            },
        };
        if (certificate is not null)
        {
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { certificate };
        }

        return new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    private static X509Certificate2 LoadCertificate(string certPem, string keyPem)
    {
        // Round-trip through PKCS#12 so that SslStream can use the key on every platform.
        using var ephemeral = X509Certificate2.CreateFromPem(certPem, keyPem);
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }

    private static string Sanitize(string user) => new([.. user.Select(c => char.IsLetterOrDigit(c) ? c : '-')]);
}
