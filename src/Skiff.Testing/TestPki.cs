using Skiff.ApiServer.Authentication.ServiceAccounts;
using Skiff.ApiServer.Security;

namespace Skiff.Testing;

/// <summary>
/// The per-process PKI template of test clusters: a cluster CA, the serving, admin and kubelet-client certificates
/// (ECDSA P-256) and the service-account signing key (RSA 2048, what <c>skiff up</c> creates), generated once per
/// process and copied into each cluster's <c>pki/</c> directory. Generating them costs more than the rest of a start
/// together (the RSA key alone is tens to hundreds of milliseconds); the <c>skiff</c> binary never uses this cache.
/// Clusters that share the template trust each other's client certificates and tokens, which is harmless between
/// throwaway test clusters; <see cref="SkiffTestClusterOptions.WithIsolatedPki"/> generates a fresh PKI instead.
/// </summary>
internal static class TestPki
{
    private static readonly Lazy<(IReadOnlyList<(string Name, byte[] Content)> Files, ClusterCertificates Loaded)> Template =
        new(Generate, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The template's certificates, loaded once (read-only; shared by the clusters that copied the template).</summary>
    public static ClusterCertificates Certificates => Template.Value.Loaded;

    /// <summary>Writes the template's files into <paramref name="pkiDirectory"/> (created if missing).</summary>
    public static void CopyTo(string pkiDirectory)
    {
        Directory.CreateDirectory(pkiDirectory);
        foreach (var (name, content) in Template.Value.Files)
        {
            var path = Path.Combine(pkiDirectory, name);
            File.WriteAllBytes(path, content);
            if (!OperatingSystem.IsWindows() && name.EndsWith(".key", StringComparison.Ordinal))
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
    }

    private static (IReadOnlyList<(string, byte[])>, ClusterCertificates) Generate()
    {
        var dir = Path.Combine(Path.GetTempPath(), "skiff-test-pki-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var loaded = ClusterCertificates.LoadOrCreate(dir);
            ServiceAccountKeys.LoadOrCreate(dir).Dispose();
            return ([.. Directory.GetFiles(dir).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f)))], loaded);
        }
        finally
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the template lives in memory.
            }
        }
    }
}
