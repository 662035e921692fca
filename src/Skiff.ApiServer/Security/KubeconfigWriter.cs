using System.Text;

namespace Skiff.ApiServer.Security;

/// <summary>Writes a kubeconfig that kubectl and client libraries accept (YAML, embedded base64 PEM data).</summary>
public static class KubeconfigWriter
{
    /// <summary>The kubeconfig text for <paramref name="server"/> (an https URL) with a client certificate user.</summary>
    public static string Render(string server, string caPem, string clientCertPem, string clientKeyPem, string clusterName = "skiff", string userName = "kubernetes-admin")
    {
        static string B64(string pem) => Convert.ToBase64String(Encoding.UTF8.GetBytes(pem));
        var context = userName + "@" + clusterName;
        return $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {{clusterName}}
              cluster:
                server: {{server}}
                certificate-authority-data: {{B64(caPem)}}
            users:
            - name: {{userName}}
              user:
                client-certificate-data: {{B64(clientCertPem)}}
                client-key-data: {{B64(clientKeyPem)}}
            contexts:
            - name: {{context}}
              context:
                cluster: {{clusterName}}
                user: {{userName}}
            current-context: {{context}}
            preferences: {}

            """;
    }

    /// <summary>Writes the admin kubeconfig for <paramref name="certs"/> to <paramref name="path"/> (mode 0600).</summary>
    public static void WriteAdmin(string path, string server, ClusterCertificates certs)
    {
        File.WriteAllText(path, Render(server, certs.CaPem, certs.AdminCertificatePem, certs.AdminKeyPem));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }
}
