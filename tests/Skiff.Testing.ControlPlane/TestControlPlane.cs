using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Hosting;
using Skiff.ApiServer.Registry;
using Skiff.Storage;

namespace Skiff.Testing.ControlPlane;

/// <summary>
/// An in-process API server for tests: a <see cref="SkiffTestCluster"/> (Kestrel on 127.0.0.1 with a free port, the
/// memory store or one you pass, a temporary data directory with the test PKI and <c>admin.kubeconfig</c>) and an
/// <see cref="HttpClient"/> that presents the admin client certificate and trusts the cluster CA. This suite-facing
/// layer keeps the shape the test projects were written against; the implementation is <c>Skiff.Testing</c>'s.
/// Dispose to stop the server and delete the directory.
/// </summary>
public sealed class TestControlPlane : IAsyncDisposable
{
    private TestControlPlane(SkiffTestCluster cluster)
    {
        Cluster = cluster;
    }

    /// <summary>The cluster underneath (clients, other users, CRDs).</summary>
    public SkiffTestCluster Cluster { get; }

    /// <summary>The running server.</summary>
    public ApiServerHost Host => Cluster.Server;

    /// <summary>
    /// The store requests are served from: with the watch cache on, the cache over the backing store (so writes and
    /// compactions made here are seen by the cache, as when upstream's API server compacts); otherwise the backing store.
    /// </summary>
    public IStorage Storage => Host.Storage;

    /// <summary>The temporary data directory.</summary>
    public string DataDirectory => Cluster.DataDirectory;

    /// <summary>The server URL (https://127.0.0.1:PORT).</summary>
    public Uri BaseAddress => Cluster.BaseAddress;

    /// <summary>The admin kubeconfig path.</summary>
    public string KubeconfigPath => Host.KubeconfigPath;

    /// <summary>An admin client (client certificate CN=kubernetes-admin, O=system:masters).</summary>
    public HttpClient Client => Cluster.HttpClient;

    /// <summary>
    /// Starts a control plane serving <paramref name="resources"/> (default: the built-in catalogue) wired like the
    /// <c>skiff</c> binary: OpenAPI documents, patch schemas and OpenAPI-driven unknown-field detection.
    /// </summary>
    public static async Task<TestControlPlane> StartAsync(IEnumerable<ResourceDescriptor>? resources = null, IStorage? storage = null,
        Func<ApiServerOptions, ApiServerOptions>? configure = null, CancellationToken ct = default)
    {
        var cluster = await SkiffTestCluster.StartAsync(o =>
        {
            if (resources is not null)
            {
                o.WithResources(resources);
            }

            if (storage is not null)
            {
                o.WithStorage(storage);
            }

            // As upstream's integration framework: no ServiceAccount admission (no service-account controller runs
            // here to create the default account), and no Priority admission, so tests may state spec.priority.
            o.WithWatchCache(WatchCacheByDefault).DisableAdmissionPlugins("ServiceAccount", "Priority");
            if (configure is not null)
            {
                o.ConfigureApiServer(configure);
            }
        }, ct).ConfigureAwait(false);
        return new TestControlPlane(cluster);
    }

    /// <summary>
    /// Whether control planes serve reads and watches through the watch cache unless <c>configure</c> says otherwise
    /// (on, like <c>skiff up</c>, so the suites exercise it; set <c>SKIFF_TEST_WATCH_CACHE=false</c> to turn it off).
    /// </summary>
    public static bool WatchCacheByDefault { get; } = Environment.GetEnvironmentVariable("SKIFF_TEST_WATCH_CACHE") != "false";

    /// <summary>The resources served when none are given: a fresh built-in catalogue (its service allocators are per server).</summary>
    public static IReadOnlyList<ResourceDescriptor> DefaultResources => BuiltInResources.Create(new BuiltInResourceOptions());

    /// <summary>A client that presents no credentials.</summary>
    public HttpClient CreateAnonymousClient() => Cluster.CreateAnonymousHttpClient();

    /// <summary>A client with an explicit bearer token.</summary>
    public HttpClient CreateTokenClient(string token) => Cluster.CreateTokenHttpClient(token);

    /// <summary>Sends <paramref name="body"/> as JSON with <paramref name="method"/> and returns the status and parsed body.</summary>
    public async Task<(int Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(HttpMethod method, string path, JsonNode? body = null,
        string contentType = "application/json", string? accept = null, CancellationToken ct = default)
    {
        using var req = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            req.Content = new StringContent(body.ToJsonString(), Encoding.UTF8);
            req.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        if (accept is not null)
        {
            req.Headers.TryAddWithoutValidation("Accept", accept);
        }

        var resp = await Client.SendAsync(req, ct).ConfigureAwait(false);
        var text = await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        JsonNode? parsed = null;
        if (text.Length > 0 && (text[0] == '{' || text[0] == '['))
        {
            parsed = JsonNode.Parse(text);
        }

        return ((int)resp.StatusCode, parsed, resp);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => Cluster.DisposeAsync();
}
