using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Config;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Tests.Testing;
using Skiff.Client.Typed;
using Xunit;

namespace Skiff.Client.Tests.Typed;

public class ClientsetTests
{
    private static (Clientset Clientset, FakeHandler Handler) Create(Func<HttpRequestMessage, int, HttpResponseMessage>? respond = null)
    {
        var handler = new FakeHandler(respond ?? ((req, _) => FakeHandler.Json(HttpStatusCode.OK, """{"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","namespace":"ns","resourceVersion":"9"}}""")));
        return (new Clientset(new ClientConfig { Host = new Uri("https://k8s.test/"), Transport = handler, Qps = 0 }), handler);
    }

    [Theory]
    [InlineData(typeof(V1Pod), "", "v1", "pods", true)]
    [InlineData(typeof(V1Deployment), "apps", "v1", "deployments", true)]
    [InlineData(typeof(V1Namespace), "", "v1", "namespaces", false)]
    [InlineData(typeof(V1ClusterRole), "rbac.authorization.k8s.io", "v1", "clusterroles", false)]
    [InlineData(typeof(V1Lease), "coordination.k8s.io", "v1", "leases", true)]
    public void ResourceInfo_ModelType_GroupVersionPluralScope(Type type, string group, string version, string plural, bool namespaced)
    {
        var info = ResourceInfo.For(type);
        Assert.Equal((group, version, plural, namespaced), (info.Group, info.Version, info.Plural, info.Namespaced));
    }

    [Fact]
    public async Task Verbs_Deployments_UseUpstreamUrlsMethodsAndBodies()
    {
        var (cs, h) = Create();
        var deployments = cs.AppsV1().Deployments("ns");
        var d = new V1Deployment { Metadata = new V1ObjectMeta { Name = "web" } };

        Assert.Equal("9", (await deployments.GetAsync("web", new GetOptions { ResourceVersion = "0" })).Metadata.ResourceVersion);
        await deployments.CreateAsync(d, new WriteOptions { FieldManager = "me", DryRun = true });
        await deployments.UpdateAsync(d);
        await deployments.UpdateStatusAsync(d);
        await deployments.PatchAsync("web", PatchType.Merge, new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 3 } });
        await deployments.ApplyAsync(d, "skiff", force: true);
        await deployments.DeleteAsync("web", new DeleteOptions { PropagationPolicy = "Foreground" });
        await deployments.DeleteCollectionAsync(null, new ListOptions { LabelSelector = "app=web" });

        var r = h.Requests;
        const string Base = "https://k8s.test/apis/apps/v1/namespaces/ns/deployments";
        Assert.Equal((HttpMethod.Get, Base + "/web?resourceVersion=0"), (r[0].Method, r[0].Url));
        Assert.Equal((HttpMethod.Post, Base + "?dryRun=All&fieldManager=me"), (r[1].Method, r[1].Url));
        Assert.Contains("\"kind\":\"Deployment\"", r[1].Body, StringComparison.Ordinal);
        Assert.Contains("\"apiVersion\":\"apps/v1\"", r[1].Body, StringComparison.Ordinal);
        Assert.Equal((HttpMethod.Put, Base + "/web"), (r[2].Method, r[2].Url));
        Assert.Equal((HttpMethod.Put, Base + "/web/status"), (r[3].Method, r[3].Url));
        Assert.Equal((HttpMethod.Patch, Base + "/web", """{"spec":{"replicas":3}}"""), (r[4].Method, r[4].Url, r[4].Body));
        Assert.Equal((HttpMethod.Patch, Base + "/web?fieldManager=skiff&force=true"), (r[5].Method, r[5].Url));
        Assert.Equal((HttpMethod.Delete, Base + "/web"), (r[6].Method, r[6].Url));
        Assert.Contains("\"propagationPolicy\":\"Foreground\"", r[6].Body, StringComparison.Ordinal);
        Assert.Equal((HttpMethod.Delete, Base + "?labelSelector=app%3Dweb"), (r[7].Method, r[7].Url));
    }

    [Fact]
    public async Task Namespaces_ClusterScoped_IgnoreNamespace()
    {
        var (cs, h) = Create((_, _) => FakeHandler.Json(HttpStatusCode.OK, """{"kind":"NamespaceList","apiVersion":"v1","metadata":{"resourceVersion":"3"},"items":[{"metadata":{"name":"default"}}]}"""));
        var list = await cs.CoreV1().Namespaces().ListAsync();
        Assert.Equal("default", Assert.Single(list.Items).Metadata.Name);
        Assert.Equal("https://k8s.test/api/v1/namespaces", h.Requests[0].Url);
    }

    [Fact]
    public async Task GetAsync_NotFound_ThrowsWithIsNotFound()
    {
        var (cs, _) = Create((_, _) => FakeHandler.Json(HttpStatusCode.NotFound, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"details":{"name":"x","kind":"pods"}}"""));
        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => cs.CoreV1().Pods("ns").GetAsync("x"));
        Assert.True(e.IsNotFound);
        Assert.Equal("x", e.Status.Details.Name);
    }

    [Fact]
    public async Task InformerFactory_OverHttp_ListsThenWatchesAndSharesOneInformerPerType()
    {
        var watchBody = """{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"b","namespace":"ns","resourceVersion":"6"}}}""" + "\n";
        var watchStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var (cs, h) = Create((req, _) =>
        {
            var q = req.RequestUri!.Query;
            if (q.Contains("watch=true", StringComparison.Ordinal))
            {
                watchStarted.TrySetResult();
                return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new HangingStream(Encoding.UTF8.GetBytes(watchBody))) };
            }

            return FakeHandler.Json(HttpStatusCode.OK, """{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[{"metadata":{"name":"a","namespace":"ns","resourceVersion":"4"}}]}""");
        });
        await using var factory = new SharedInformerFactory(cs);
        var informer = factory.Informer<V1Pod, V1PodList>();
        Assert.Same(informer, factory.Informer<V1Pod, V1PodList>());
        var handler = new RecordingHandler();
        informer.AddEventHandler(handler);
        await factory.StartAsync();
        await factory.WaitForCacheSyncAsync().WaitAsync(TimeSpan.FromSeconds(10));
        await handler.WaitForCountAsync(2);
        Assert.Equal(["add(initial) a@4", "add b@6"], handler.Events);
        Assert.NotNull(informer.Lister.Get("ns", "b"));
        Assert.Contains(h.Requests, r => r.Url.EndsWith("api/v1/pods?limit=500", StringComparison.Ordinal));
        Assert.Contains(h.Requests, r => r.Url.Contains("api/v1/pods?resourceVersion=5&timeoutSeconds=", StringComparison.Ordinal)
            && r.Url.EndsWith("&allowWatchBookmarks=true&watch=true", StringComparison.Ordinal));
    }

    /// <summary>A response body that yields its bytes and then blocks until the reader is cancelled, like an open watch.</summary>
    private sealed class HangingStream(byte[] data) : Stream
    {
        private int _pos;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_pos < data.Length)
            {
                var n = Math.Min(buffer.Length, data.Length - _pos);
                data.AsMemory(_pos, n).CopyTo(buffer);
                _pos += n;
                return n;
            }

            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
