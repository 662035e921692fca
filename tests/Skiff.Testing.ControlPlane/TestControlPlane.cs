using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Hosting;
using Skiff.ApiServer.Registry;
using Skiff.Storage;
using Skiff.Storage.Memory;

namespace Skiff.Testing.ControlPlane;

/// <summary>
/// An in-process API server for tests: Kestrel on 127.0.0.1 with a free port, the memory store (or one you pass),
/// a temporary data directory with freshly generated certificates and <c>admin.kubeconfig</c>, and an
/// <see cref="HttpClient"/> that presents the admin client certificate and trusts the cluster CA.
/// Dispose to stop the server and delete the directory.
/// </summary>
public sealed class TestControlPlane : IAsyncDisposable
{
    private readonly bool _ownsStorage;
    private readonly IStorage _backing;

    private TestControlPlane(ApiServerHost host, IStorage storage, string dir, bool ownsStorage)
    {
        Host = host;
        _backing = storage;
        DataDirectory = dir;
        _ownsStorage = ownsStorage;
        Client = CreateClient();
    }

    /// <summary>The running server.</summary>
    public ApiServerHost Host { get; }

    /// <summary>
    /// The store requests are served from: with the watch cache on, the cache over the backing store (so writes and
    /// compactions made here are seen by the cache, as when upstream's API server compacts); otherwise the backing store.
    /// </summary>
    public IStorage Storage => Host.Storage;

    /// <summary>The temporary data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>The server URL (https://127.0.0.1:PORT).</summary>
    public Uri BaseAddress => new(Host.Url);

    /// <summary>The admin kubeconfig path.</summary>
    public string KubeconfigPath => Host.KubeconfigPath;

    /// <summary>An admin client (client certificate CN=kubernetes-admin, O=system:masters).</summary>
    public HttpClient Client { get; }

    /// <summary>
    /// Starts a control plane serving <paramref name="resources"/> (default: the built-in catalogue) wired like the
    /// <c>skiff</c> binary: OpenAPI documents, patch schemas and OpenAPI-driven unknown-field detection.
    /// </summary>
    public static async Task<TestControlPlane> StartAsync(IEnumerable<ResourceDescriptor>? resources = null, IStorage? storage = null,
        Func<ApiServerOptions, ApiServerOptions>? configure = null, CancellationToken ct = default)
    {
        var dir = Path.Combine(Path.GetTempPath(), "skiff-test-" + Guid.NewGuid().ToString("N")[..12]);
        var store = storage ?? new MemoryStorage();
        var options = DefaultApiServer.CreateOptions(dir, store, resources) with
        {
            Port = 0,
            BookmarkInterval = TimeSpan.FromMilliseconds(500),
            WatchCache = WatchCacheByDefault,

            // As upstream's integration framework: no ServiceAccount admission (no service-account controller runs
            // here to create the default account), and no Priority admission, so tests may state spec.priority.
            DisableAdmissionPlugins = ["ServiceAccount", "Priority"],
        };
        if (configure is not null)
        {
            options = configure(options);
        }

        var host = new ApiServerHost(options);
        await host.StartAsync(ct).ConfigureAwait(false);
        return new TestControlPlane(host, store, dir, storage is null);
    }

    /// <summary>
    /// Whether control planes serve reads and watches through the watch cache unless <c>configure</c> says otherwise
    /// (on, like <c>skiff up</c>, so the suites exercise it; set <c>SKIFF_TEST_WATCH_CACHE=false</c> to turn it off).
    /// </summary>
    public static bool WatchCacheByDefault { get; } = Environment.GetEnvironmentVariable("SKIFF_TEST_WATCH_CACHE") != "false";

    /// <summary>The resources served when none are given: a fresh built-in catalogue (its service allocators are per server).</summary>
    public static IReadOnlyList<ResourceDescriptor> DefaultResources => BuiltInResources.Create(new BuiltInResourceOptions());

    /// <summary>A client that presents no credentials.</summary>
    public HttpClient CreateAnonymousClient() => CreateClient(withCertificate: false);

    /// <summary>A client with an explicit bearer token.</summary>
    public HttpClient CreateTokenClient(string token)
    {
        var c = CreateClient(withCertificate: false);
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    private HttpClient CreateClient(bool withCertificate = true)
    {
        var ca = Host.Certificates.Ca;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            SslOptions =
            {
                RemoteCertificateValidationCallback = (_, cert, _, _) =>
                {
                    if (cert is null)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(cert));
                },
            },
        };
        if (withCertificate)
        {
            handler.SslOptions.ClientCertificates = new X509CertificateCollection { Host.Certificates.Admin };
        }

        return new HttpClient(handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

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
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync().ConfigureAwait(false);
        if (_ownsStorage)
        {
            await _backing.DisposeAsync().ConfigureAwait(false);
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
