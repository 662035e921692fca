using System.Net;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;
using Skiff.Storage;

namespace Skiff.ApiServer.Hosting;

/// <summary>Everything <see cref="ApiServerHost"/> needs: where to listen, what to serve, and from which store.</summary>
public sealed class ApiServerOptions
{
    /// <summary>The data directory: PKI (<c>pki/</c>) and <c>admin.kubeconfig</c> live here.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The store (owned by the caller; the host does not dispose it).</summary>
    public required IStorage Storage { get; init; }

    /// <summary>The served resources.</summary>
    public required IEnumerable<ResourceDescriptor> Resources { get; init; }

    /// <summary>The address to bind (default 127.0.0.1).</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>The HTTPS port; 0 picks a free one (see <see cref="ApiServerHost.Port"/>).</summary>
    public int Port { get; init; } = 6443;

    /// <summary>Optional static bearer tokens (upstream's <c>--token-auth-file</c>).</summary>
    public TokenFile Tokens { get; init; } = TokenFile.Empty;

    /// <summary>Extra request-body decoders (protobuf), by media type.</summary>
    public IReadOnlyList<IContentDecoder> ExtraDecoders { get; init; } = [];

    /// <summary>Extra HTTP endpoints (OpenAPI, …), consulted before the built-in routes for non-resource paths.</summary>
    public IReadOnlyList<IHttpExtension> Extensions { get; init; } = [];

    /// <summary>Finds unknown fields for fieldValidation (from OpenAPI schemas); null = no unknown-field detection.</summary>
    public IUnknownFieldDetector? UnknownFieldDetector { get; init; }

    /// <summary>The OpenAPI documents served at /openapi/v3 (authenticated); null = 404.</summary>
    public Skiff.ApiServer.OpenApi.IOpenApiSource? OpenApi { get; init; }

    /// <summary>How often a watch with allowWatchBookmarks=true gets a BOOKMARK (upstream: 1 minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The clock.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Whether to write <c>admin.kubeconfig</c> into the data directory on start.</summary>
    public bool WriteKubeconfig { get; init; } = true;

    /// <summary>Namespaces created at start when missing.</summary>
    public IReadOnlyList<string> SystemNamespaces { get; init; } = ["default", "kube-system", "kube-public", "kube-node-lease"];
}
