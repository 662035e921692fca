using System.Security.Cryptography.X509Certificates;

namespace Skiff.Kubelet.Server;

/// <summary>
/// The pieces of upstream's kubelet auth filter (<c>pkg/kubelet/server/auth.go</c>, <c>server.go</c>
/// <c>InstallAuthFilter</c>) that do not need the API server: the x509 user of a client certificate, the request's
/// authorization attributes, and the error texts.
/// </summary>
public static class KubeletAuthFilter
{
    /// <summary>
    /// The verb (from the HTTP method: POST create, GET get, PUT update, PATCH patch, DELETE delete) and the
    /// <c>nodes</c> subresource of a request: <c>stats</c>, <c>metrics</c>, <c>log</c> (<c>/logs/</c>) or
    /// <c>checkpoint</c> under those paths, <c>proxy</c> for everything else (kubelet 1.32 without the
    /// KubeletFineGrainedAuthz gate).
    /// </summary>
    public static (string Verb, string Subresource) Attributes(string method, string path)
    {
        var verb = method.ToUpperInvariant() switch
        {
            "POST" => "create",
            "GET" => "get",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => "delete",
            _ => "",
        };
        var subresource = Under(path, "/stats") ? "stats"
            : Under(path, "/metrics") ? "metrics"
            : Under(path, "/logs") ? "log"
            : Under(path, "/checkpoint") ? "checkpoint"
            : "proxy";
        return (verb, subresource);
    }

    /// <summary>Upstream's <c>PREFIX (user=U, verb=V, resource=nodes, subresource=S)</c> ("Forbidden", "Authorization error").</summary>
    public static string Message(string prefix, KubeletUser user, string verb, string subresource) =>
        $"{prefix} (user={user.Name}, verb={verb}, resource=nodes, subresource={subresource})";

    /// <summary>
    /// The user of a client certificate that chains to <paramref name="clientCa"/> with the clientAuth usage (upstream's
    /// x509 authenticator: the CN is the user, each O a group); null when it does not verify.
    /// </summary>
    public static KubeletUser? CertificateUser(X509Certificate2 cert, X509Certificate2 clientCa)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(clientCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        if (!chain.Build(cert))
        {
            return null;
        }

        var name = cert.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        var groups = cert.SubjectName.EnumerateRelativeDistinguishedNames()
            .Where(rdn => rdn.GetSingleElementType().Value == "2.5.4.10")
            .Select(rdn => rdn.GetSingleElementValue() ?? "")
            .Where(g => g.Length > 0)
            .ToList();
        return new KubeletUser(name, [.. groups, "system:authenticated"]);
    }

    private static bool Under(string path, string root) => path == root || path.StartsWith(root + "/", StringComparison.Ordinal);
}
