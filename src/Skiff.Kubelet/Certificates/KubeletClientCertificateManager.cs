using Microsoft.Extensions.Logging;
using Skiff.Api.Certificates;
using Skiff.Client.Config;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Kubelet.Certificates;

/// <summary>
/// The kubelet's client certificate through CSRs (upstream <c>pkg/kubelet/certificate/bootstrap</c> and client-go's
/// <c>util/certificate</c> manager). <see cref="BootstrapAsync"/>: when the kubeconfig is missing or its certificate has
/// expired, a CSR <c>node-csr-…</c> for CN <c>system:node:NAME</c>, O <c>system:nodes</c>, signer
/// <c>kube-apiserver-client-kubelet</c> is submitted with the bootstrap credentials, the issued certificate is
/// awaited and written with the key to <c>kubelet-client-current.pem</c>, and a kubeconfig pointing at it is written.
/// <see cref="KubeletCertificateManager.RunRotationAsync"/> then renews it with the node's own identity (approved as a
/// self renewal).
/// </summary>
public sealed partial class KubeletClientCertificateManager : KubeletCertificateManager
{
    /// <summary>The file holding the current certificate and key.</summary>
    public const string CurrentFileName = "kubelet-client-current.pem";

    private static readonly KubeletCertificateRequest Request =
        new(CertificateSigners.KubeApiServerClientKubelet, ["digital signature", "client auth"], [], [], "node-csr-", NamedAfterKey: true);

    /// <summary>Creates a manager for <paramref name="nodeName"/> keeping its files in <paramref name="certDirectory"/>.</summary>
    public KubeletClientCertificateManager(string nodeName, string certDirectory, TimeProvider clock, ILogger logger)
        : base(nodeName, certDirectory, CurrentFileName, clock, logger)
    {
    }

    /// <summary>
    /// Makes sure <paramref name="kubeconfigPath"/> holds a valid node identity, requesting one with
    /// <paramref name="bootstrap"/> when it does not. Returns the client config for the node (its certificate served
    /// by <see cref="KubeletCertificateManager.Current"/>, so rotation applies to it).
    /// </summary>
    /// <exception cref="InvalidOperationException">The request was denied or failed.</exception>
    public async Task<ClientConfig> BootstrapAsync(ClientConfig bootstrap, string kubeconfigPath, CancellationToken ct)
    {
        if (File.Exists(kubeconfigPath) && File.Exists(CurrentPath) && LoadCurrent() is { } existing && existing.NotAfter.ToUniversalTime() > Clock.GetUtcNow().UtcDateTime)
        {
            SetCurrent(existing);
            LogReused(Logger, kubeconfigPath, existing.NotAfter);
        }
        else
        {
            using var rest = new RestClient(bootstrap);
            var cert = await RequestAsync(new Clientset(rest), ct).ConfigureAwait(false);
            SetCurrent(cert);
            var dir = Path.GetDirectoryName(Path.GetFullPath(kubeconfigPath));
            if (dir is not null)
            {
                Directory.CreateDirectory(dir);
            }

            await File.WriteAllTextAsync(kubeconfigPath, KubeletKubeconfig.Render(bootstrap.Host, bootstrap.CertificateAuthorities, CurrentPath), ct).ConfigureAwait(false);
            LogBootstrapped(Logger, kubeconfigPath, cert.NotAfter);
        }

        return ClientConfigLoader.FromKubeConfig(KubeConfigLoader.LoadFile(kubeconfigPath)) with { ClientCertificateProvider = () => Current };
    }

    /// <inheritdoc/>
    protected override KubeletCertificateRequest Template() => Request;

    [LoggerMessage(Level = LogLevel.Information, Message = "bootstrapped the kubelet client certificate (expires {NotAfter}); wrote {Kubeconfig}")]
    private static partial void LogBootstrapped(ILogger logger, string kubeconfig, DateTime notAfter);

    [LoggerMessage(Level = LogLevel.Information, Message = "kubeconfig {Kubeconfig} holds a valid client certificate (expires {NotAfter}): no bootstrap")]
    private static partial void LogReused(ILogger logger, string kubeconfig, DateTime notAfter);
}
