using System.Net;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;
using Skiff.Storage;

namespace Skiff.ApiServer.Hosting;

/// <summary>Everything <see cref="ApiServerHost"/> needs: where to listen, what to serve, and from which store.</summary>
public sealed record ApiServerOptions
{
    /// <summary>The data directory: PKI (<c>pki/</c>) and <c>admin.kubeconfig</c> live here.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The store (owned by the caller; the host does not dispose it).</summary>
    public required IStorage Storage { get; init; }

    /// <summary>The served resources.</summary>
    public required IEnumerable<ResourceDescriptor> Resources { get; init; }

    /// <summary>
    /// The streams a client may open on one HTTP/2 connection (upstream <c>--http2-max-streams-per-connection</c>); 0 is
    /// kube-apiserver's default, 100 (Go's clients open another connection when a connection is full, as
    /// <c>Skiff.Client</c> does with <c>EnableMultipleHttp2Connections</c>).
    /// </summary>
    public int Http2MaxStreamsPerConnection { get; init; }

    /// <summary>The address to bind (default 127.0.0.1).</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Loopback;

    /// <summary>
    /// The address written into the <c>default/kubernetes</c> endpoints (upstream <c>--advertise-address</c>); null: the
    /// bind address, or 127.0.0.1 when binding every interface.
    /// </summary>
    public IPAddress? AdvertiseAddress { get; init; }

    /// <summary>The HTTPS port; 0 picks a free one (see <see cref="ApiServerHost.Port"/>).</summary>
    public int Port { get; init; } = 6443;

    /// <summary>
    /// The cluster PKI, already loaded (null, the default: loaded from <c>DataDirectory/pki</c>, generated when missing).
    /// Test control planes pass a per-process one so that each start does not re-read and re-wrap the certificates; the
    /// files must still be in <c>DataDirectory/pki</c> (client certificates are issued from <c>ca.key</c> there).
    /// </summary>
    public ClusterCertificates? Certificates { get; init; }

    /// <summary>Optional static bearer tokens (upstream's <c>--token-auth-file</c>).</summary>
    public TokenFile Tokens { get; init; } = TokenFile.Empty;

    /// <summary>Service-account tokens: issuer, audiences, signing and verification keys, expiration limits.</summary>
    public Skiff.ApiServer.Authentication.ServiceAccounts.ServiceAccountTokenSettings ServiceAccountTokens { get; init; } = new();

    /// <summary>
    /// More CAs whose client certificates authenticate (upstream <c>--client-ca-file</c>), beside the cluster CA; see
    /// <see cref="Security.ClusterCertificates.LoadClientCaBundle"/>.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection ClientCas { get; init; } = [];

    /// <summary>
    /// Request-header authentication (upstream <c>--requestheader-*</c>); default: the front-proxy CA, CN
    /// <c>front-proxy-client</c> and the X-Remote-* headers, as kubeadm wires them. Null turns it off.
    /// </summary>
    public RequestHeaderSettings? RequestHeader { get; init; } = RequestHeaderSettings.FrontProxyDefaults;

    /// <summary>
    /// Whether the aggregator proxies to a Service's endpoint addresses (upstream <c>--enable-aggregator-routing</c>);
    /// false = to its cluster IP, which needs kube-proxy on this host. Default true: the API server runs on the node,
    /// where pod addresses on the bridge are reachable without kube-proxy.
    /// </summary>
    public bool EnableAggregatorRouting { get; init; } = true;

    /// <summary>How often the availability controller probes every APIService's backend (upstream re-checks every 30 s).</summary>
    public TimeSpan ApiServiceCheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Extra request-body decoders (protobuf), by media type.</summary>
    public IReadOnlyList<IContentDecoder> ExtraDecoders { get; init; } = [];

    /// <summary>Extra HTTP endpoints (OpenAPI, …), consulted before the built-in routes for non-resource paths.</summary>
    public IReadOnlyList<IHttpExtension> Extensions { get; init; } = [];

    /// <summary>Finds unknown fields for fieldValidation (from OpenAPI schemas); null = no unknown-field detection.</summary>
    public IUnknownFieldDetector? UnknownFieldDetector { get; init; }

    /// <summary>The OpenAPI documents served at /openapi/v3 (authenticated); null = 404.</summary>
    public Skiff.ApiServer.OpenApi.IOpenApiSource? OpenApi { get; init; }

    /// <summary>
    /// The patch schemas (merge keys, list and map types) for strategic merge patch, server-side apply and
    /// managedFields; null = no schemas (every list atomic, like upstream for unknown kinds).
    /// </summary>
    public Skiff.ApiServer.OpenApi.ISchemaProvider? Schemas { get; init; }

    /// <summary>How often a watch with allowWatchBookmarks=true gets a BOOKMARK (upstream: 1 minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether reads and watches of every built-in resource are served by a watch cache over <see cref="Storage"/>
    /// (upstream's cacher): resourceVersion="0" and NotOlderThan lists from memory, consistent lists from memory once
    /// the cache has caught up, watches from the cache's event window. Writes and latest gets go to the store.
    /// </summary>
    public bool WatchCache { get; init; }

    /// <summary>
    /// How often the store is compacted to the revision seen one interval earlier (upstream: 5 minutes), so about one
    /// interval of history stays readable; <see cref="TimeSpan.Zero"/> or <see cref="Timeout.InfiniteTimeSpan"/> turns
    /// compaction off.
    /// </summary>
    public TimeSpan CompactionInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The clock.</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Whether to write <c>admin.kubeconfig</c> into the data directory on start.</summary>
    public bool WriteKubeconfig { get; init; } = true;

    /// <summary>
    /// Whether to create the <c>default/kubernetes</c> Service, Endpoints and EndpointSlice at start (upstream's
    /// bootstrap controller); they point at <see cref="AdvertiseAddress"/> and the bound port.
    /// </summary>
    public bool KubernetesService { get; init; } = true;

    /// <summary>
    /// The metrics served at <c>/metrics</c> (null: the host creates its own). Pass one to add component metrics to
    /// the same registry (as <c>skiff up</c> does for the controller manager).
    /// </summary>
    public Skiff.ApiServer.Metrics.ApiServerMetrics? Metrics { get; init; }

    /// <summary>
    /// Whether every request is authorized (upstream <c>--authorization-mode=Node,RBAC</c>, with anonymous requests as
    /// <c>system:anonymous</c>): the bootstrap RBAC policy is reconciled at start, the Node and RBAC authorizers decide
    /// each request, and escalation and NodeRestriction are checked on writes. False: every authenticated request is
    /// allowed (upstream's AlwaysAllow) and anonymous requests get 401.
    /// </summary>
    public bool EnforceAuthorization { get; init; } = true;

    /// <summary>
    /// Admission plugins to turn on beside upstream's defaults (<c>--enable-admission-plugins</c>); names as upstream
    /// spells them. See <see cref="Skiff.ApiServer.Admission.AdmissionPluginCatalog"/>.
    /// </summary>
    public IReadOnlyList<string> EnableAdmissionPlugins { get; init; } = [];

    /// <summary>Admission plugins to turn off, defaults included (<c>--disable-admission-plugins</c>).</summary>
    public IReadOnlyList<string> DisableAdmissionPlugins { get; init; } = [];

    /// <summary>
    /// Plugins implemented outside the admission folder, by name (NodeRestriction's slot in upstream's order); they
    /// run where upstream's order puts that name, when the name is enabled.
    /// </summary>
    public IReadOnlyDictionary<string, Func<Skiff.ApiServer.Admission.AdmissionPluginContext, Skiff.ApiServer.Admission.IAdmissionPlugin>>? ExtraAdmissionPlugins { get; init; }

    /// <summary>
    /// API Priority and Fairness (upstream <c>--enable-priority-and-fairness</c>, <c>--max-requests-inflight</c>,
    /// <c>--max-mutating-requests-inflight</c>): on by default with upstream's limits.
    /// </summary>
    public Skiff.ApiServer.FlowControl.FlowControlSettings FlowControl { get; init; } = new();
    /// <summary>Auditing (<c>--audit-policy-file</c>, <c>--audit-log-*</c>); off by default.</summary>
    public Skiff.ApiServer.Audit.AuditLogOptions Audit { get; init; } = new();

    /// <summary>Namespaces created at start when missing.</summary>
    public IReadOnlyList<string> SystemNamespaces { get; init; } = ["default", "kube-system", "kube-public", "kube-node-lease"];
}
