using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Skiff.Kubelet.Certificates;

/// <summary>
/// The kubeconfig a bootstrapped kubelet writes (upstream's <c>writeKubeconfigFromBootstrapping</c>): the bootstrap
/// kubeconfig's server and CA, and a user whose certificate and key both point at the rotating
/// <c>kubelet-client-current.pem</c>.
/// </summary>
public static class KubeletKubeconfig
{
    /// <summary>Renders the kubeconfig.</summary>
    public static string Render(Uri server, X509Certificate2Collection? cas, string clientPemPath)
    {
        var ca = cas is { Count: > 0 }
            ? "    certificate-authority-data: " + Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Concat(cas.Select(c => c.ExportCertificatePem() + "\n")))) + "\n"
            : "    insecure-skip-tls-verify: true\n";
        return "apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n" + ca +
            $"    server: {server.ToString().TrimEnd('/')}\n  name: default-cluster\n" +
            "contexts:\n- context:\n    cluster: default-cluster\n    namespace: default\n    user: default-auth\n  name: default-context\n" +
            "current-context: default-context\npreferences: {}\n" +
            $"users:\n- name: default-auth\n  user:\n    client-certificate: {clientPemPath}\n    client-key: {clientPemPath}\n";
    }
}
