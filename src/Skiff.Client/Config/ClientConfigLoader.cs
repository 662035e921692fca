using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Skiff.Client.Config;

/// <summary>
/// Turns a kubeconfig context, or the in-cluster service account, into a <see cref="ClientConfig"/>
/// (clientcmd's <c>ClientConfig()</c> and rest's <c>InClusterConfig()</c>).
/// </summary>
public static class ClientConfigLoader
{
    private const string ServiceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

    /// <summary>
    /// The default: the kubeconfig from <c>KUBECONFIG</c> or <c>~/.kube/config</c>; otherwise, inside a pod, the
    /// in-cluster config.
    /// </summary>
    /// <exception cref="InvalidOperationException">Neither is available.</exception>
    public static ClientConfig LoadDefault(string? context = null)
    {
        var kubeconfig = KubeConfigLoader.LoadDefault();
        if (kubeconfig is not null)
        {
            return FromKubeConfig(kubeconfig, context);
        }

        if (IsInCluster())
        {
            return InCluster();
        }

        throw new InvalidOperationException("no kubeconfig found (KUBECONFIG or ~/.kube/config) and not running in a cluster");
    }

    /// <summary>True when the in-cluster environment (service host and port variables) is present.</summary>
    public static bool IsInCluster()
        => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST"))
           && !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT"));

    /// <summary>The in-cluster config: service host/port, the mounted token (re-read on rotation), CA and namespace.</summary>
    public static ClientConfig InCluster(string serviceAccountDir = ServiceAccountDir)
    {
        var host = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST");
        var port = Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_PORT");
        if (string.IsNullOrEmpty(host) || string.IsNullOrEmpty(port))
        {
            throw new InvalidOperationException("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be set in-cluster");
        }

        var tokenFile = Path.Combine(serviceAccountDir, "token");
        var caFile = Path.Combine(serviceAccountDir, "ca.crt");
        var nsFile = Path.Combine(serviceAccountDir, "namespace");
        var hostPart = host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host;
        return new ClientConfig
        {
            Host = new Uri($"https://{hostPart}:{port}"),
            BearerTokenFile = tokenFile,
            CertificateAuthorities = File.Exists(caFile) ? LoadPemCertificates(File.ReadAllText(caFile)) : null,
            Namespace = File.Exists(nsFile) ? File.ReadAllText(nsFile).Trim() : null,
        };
    }

    /// <summary>The config of <paramref name="context"/> (the current context when null).</summary>
    /// <exception cref="InvalidOperationException">The context, its cluster or its user is not defined.</exception>
    public static ClientConfig FromKubeConfig(KubeConfig config, string? context = null)
    {
        context ??= config.CurrentContext;
        if (string.IsNullOrEmpty(context))
        {
            throw new InvalidOperationException("kubeconfig has no current-context and none was given");
        }

        if (!config.Contexts.TryGetValue(context, out var ctx))
        {
            throw new InvalidOperationException($"context \"{context}\" does not exist in the kubeconfig");
        }

        if (!config.Clusters.TryGetValue(ctx.Cluster, out var cluster) || string.IsNullOrEmpty(cluster.Server))
        {
            throw new InvalidOperationException($"cluster \"{ctx.Cluster}\" of context \"{context}\" has no server");
        }

        var user = config.Users.TryGetValue(ctx.User, out var u) ? u : new KubeUser();
        return new ClientConfig
        {
            Host = new Uri(cluster.Server.Contains("://", StringComparison.Ordinal) ? cluster.Server : "https://" + cluster.Server),
            Namespace = string.IsNullOrEmpty(ctx.Namespace) ? null : ctx.Namespace,
            InsecureSkipTlsVerify = cluster.InsecureSkipTlsVerify,
            TlsServerName = cluster.TlsServerName,
            CertificateAuthorities = ReadCertificateAuthorities(cluster),
            ClientCertificate = ReadClientCertificate(user),
            BearerToken = user.Token,
            BearerTokenFile = user.TokenFile,
            Username = user.Username,
            Password = user.Password,
        };
    }

    /// <summary>Every certificate in a PEM bundle.</summary>
    /// <exception cref="FormatException">The text holds no certificate.</exception>
    public static X509Certificate2Collection LoadPemCertificates(string pem)
    {
        var collection = new X509Certificate2Collection();
        collection.ImportFromPem(pem);
        if (collection.Count == 0)
        {
            throw new FormatException("no PEM certificate found in the certificate authority data");
        }

        return collection;
    }

    private static X509Certificate2Collection? ReadCertificateAuthorities(KubeCluster cluster)
    {
        if (cluster.CertificateAuthorityData is { Length: > 0 } data)
        {
            return LoadPemCertificates(Encoding.UTF8.GetString(data));
        }

        return string.IsNullOrEmpty(cluster.CertificateAuthority) ? null : LoadPemCertificates(File.ReadAllText(cluster.CertificateAuthority));
    }

    private static X509Certificate2? ReadClientCertificate(KubeUser user)
    {
        var cert = user.ClientCertificateData is { Length: > 0 } cd ? Encoding.UTF8.GetString(cd)
            : !string.IsNullOrEmpty(user.ClientCertificate) ? File.ReadAllText(user.ClientCertificate) : null;
        var key = user.ClientKeyData is { Length: > 0 } kd ? Encoding.UTF8.GetString(kd)
            : !string.IsNullOrEmpty(user.ClientKey) ? File.ReadAllText(user.ClientKey) : null;
        if (cert is null)
        {
            return null;
        }

        if (key is null)
        {
            throw new InvalidOperationException("kubeconfig user has a client certificate but no client key");
        }

        using var ephemeral = X509Certificate2.CreateFromPem(cert, key);

        // Round-trip through PKCS#12 so the key is usable by SslStream on every platform.
        return X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
    }
}
