using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace Skiff.Kubelet.Server;

/// <summary>What <see cref="KubeletServer"/> serves, where, and whom it trusts.</summary>
public sealed record KubeletServerOptions
{
    /// <summary>The serving certificate, with its private key (or see <see cref="ServingCertificateSelector"/>).</summary>
    public X509Certificate2? ServingCertificate { get; init; }

    /// <summary>
    /// Asked at every TLS handshake for the certificate to present (a rotating one:
    /// <see cref="Certificates.KubeletServingCertificateManager.SelectForHandshake"/>); wins over
    /// <see cref="ServingCertificate"/>. It may throw to fail the handshake.
    /// </summary>
    public Func<X509Certificate2>? ServingCertificateSelector { get; init; }

    /// <summary>The CA that signs the clients it accepts (upstream <c>--client-ca-file</c>; the cluster CA).</summary>
    public required X509Certificate2 ClientCa { get; init; }

    /// <summary>
    /// Bearer-token authentication and per-request authorization through the API server (TokenReview,
    /// SubjectAccessReview), as upstream's <c>--authentication-token-webhook --authorization-mode=Webhook</c>. Null:
    /// client certificates only, and every one the <see cref="ClientCa"/> signed may do everything (AlwaysAllow).
    /// </summary>
    public IKubeletDelegatedAuth? Auth { get; init; }

    /// <summary>The pods and their runtime ids and streaming URLs.</summary>
    public required IPodRuntimeLookup Runtime { get; init; }

    /// <summary>The address to bind (default: every IPv4 address).</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>The HTTPS port (upstream 10250); 0 picks a free one (see <see cref="KubeletServer.Port"/>).</summary>
    public int Port { get; init; } = 10250;

    /// <summary>The pods this node runs, as served at <c>/pods</c> (default: none).</summary>
    public Func<IReadOnlyList<JsonObject>> Pods { get; init; } = () => [];

    /// <summary>The clock (log <c>sinceSeconds</c>, log follow polling).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
