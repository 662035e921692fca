using Skiff.ApiServer.Security;
using Xunit;

namespace Skiff.ApiServer.Tests.Security;

/// <summary>The PKI files as other tools read them.</summary>
public sealed class ClusterCertificatesTests
{
    [Fact]
    public void LoadOrCreate_WritesPemFilesEndingInNewline_AsOpensslAndUpstreamDo()
    {
        var dir = Directory.CreateTempSubdirectory("skiff-pki-");
        try
        {
            var pki = ClusterCertificates.LoadOrCreate(dir.FullName);
            foreach (var file in new[] { "ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "admin.crt", "admin.key" })
            {
                Assert.EndsWith("-----\n", File.ReadAllText(Path.Combine(dir.FullName, file)), StringComparison.Ordinal);
            }

            Assert.EndsWith("-----\n", pki.CaPem, StringComparison.Ordinal);
            var (cert, key) = ClusterCertificates.IssueClientCertificate(dir.FullName, "system:node:n1", ["system:nodes"]);
            Assert.EndsWith("-----END CERTIFICATE-----\n", cert, StringComparison.Ordinal);
            Assert.EndsWith("-----END PRIVATE KEY-----\n", key, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
