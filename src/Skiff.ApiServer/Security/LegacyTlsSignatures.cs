using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Skiff.ApiServer.Security;

/// <summary>
/// Lets the process's TLS servers answer a TLS 1.2 client that sends no <c>signature_algorithms</c> extension, as
/// upstream's API server does. RFC 5246 §7.4.1.4.1 says such a client supports SHA-1 signatures, and Go's
/// <c>crypto/tls</c> (Go 1.23 builds Kubernetes 1.32) then signs its ServerKeyExchange with SHA-1. OpenSSL 3, which .NET
/// uses on Linux, refuses those signatures from security level 1, its default. The handshake then fails with alert 40
/// (<c>no shared cipher</c>). busybox <c>wget</c>'s built-in TLS is such a client, and it is the only HTTPS client a
/// busybox pod has, so a pod could not call the API server. The fix is the one the OpenSSL 3 migration guide names:
/// security level 0, set here through the <c>system_default</c> TLS settings of an OpenSSL config loaded into the
/// process. That applies to every TLS context created afterwards. It does not change the cipher list (the same
/// <c>DEFAULT</c> list) or the protocol versions (each listener keeps TLS 1.2+). It only admits the weaker signatures
/// and keys a peer insists on, as Go does.
/// </summary>
/// <remarks>
/// Linux only. The fix is skipped when the operator set <c>OPENSSL_CONF</c> (their config wins), and when
/// <c>libcrypto.so.3</c> is absent (OpenSSL 1.1 still allows SHA-1 at level 1).
/// </remarks>
public static partial class LegacyTlsSignatures
{
    private const string Config = """
        openssl_conf = skiff_openssl
        [skiff_openssl]
        ssl_conf = skiff_ssl
        [skiff_ssl]
        system_default = skiff_tls
        [skiff_tls]
        CipherString = DEFAULT:@SECLEVEL=0
        """;

    private static readonly Lazy<bool> Applied = new(Apply, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Applies the setting once per process, before the API server's listener creates its TLS context. Returns whether
    /// it is in effect.
    /// </summary>
    public static bool EnsureEnabled() => Applied.Value;

    private static bool Apply()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable("OPENSSL_CONF") is { Length: > 0 })
        {
            return false;
        }

        // .NET initialises OpenSSL (and loads the system config) on first use; do that before loading ours, so the
        // system config cannot load over it afterwards.
        _ = SHA256.HashData([0]);
        var file = Path.Combine(Path.GetTempPath(), $"skiff-openssl-{Environment.ProcessId}-{Guid.NewGuid():N}.cnf");
        try
        {
            File.WriteAllText(file, Config + "\n");
            return ConfModulesLoadFile(file, null, 0) > 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or IOException or UnauthorizedAccessException)
        {
            return false;
        }
        finally
        {
            File.Delete(file);
        }
    }

    [LibraryImport("libcrypto.so.3", EntryPoint = "CONF_modules_load_file", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ConfModulesLoadFile(string file, string? appName, nuint flags);
}
