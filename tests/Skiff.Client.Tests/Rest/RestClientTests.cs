using System.Net;
using System.Text;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Skiff.Client.Config;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Tests.Testing;
using Xunit;

namespace Skiff.Client.Tests.Rest;

public class RestClientTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    private static RestClient Client(FakeHandler handler, TimeProvider? time = null, double qps = 0, int burst = 1, ILoggerFactory? logs = null, int verbosity = 0)
        => new(new ClientConfig
        {
            Host = new Uri("https://k8s.test:6443/"),
            Transport = handler,
            TimeProvider = time ?? TimeProvider.System,
            Qps = qps,
            Burst = burst,
            BearerToken = "tok",
            LoggerFactory = logs,
            Verbosity = verbosity,
        });

    public static TheoryData<Func<RestClient, RestRequest>, string> Paths => new()
    {
        { c => c.Get().Namespace("ns").Resource("pods").Name("p"), "api/v1/namespaces/ns/pods/p" },
        { c => c.Get().Resource("pods"), "api/v1/pods" },
        { c => c.Get().Group("apps").Version("v1").Namespace("ns").Resource("deployments").Name("d").SubResource("scale"), "apis/apps/v1/namespaces/ns/deployments/d/scale" },
        { c => c.Get().ApiVersion("rbac.authorization.k8s.io/v1").Resource("clusterroles").Name("admin"), "apis/rbac.authorization.k8s.io/v1/clusterroles/admin" },
        { c => c.Get().Resource("namespaces").Name("kube-system"), "api/v1/namespaces/kube-system" },
        { c => c.Get().AbsPath("/version"), "version" },
        { c => c.Get().Resource("pods").VersionedParams(new ListOptions { LabelSelector = "a in (b,c)", Limit = 5, Continue = "x" }), "api/v1/pods?labelSelector=a%20in%20%28b%2Cc%29&limit=5&continue=x" },
        { c => c.Post().Namespace("ns").Resource("pods").VersionedParams(new WriteOptions { DryRun = true, FieldManager = "me" }), "api/v1/namespaces/ns/pods?dryRun=All&fieldManager=me" },
    };

    [Theory]
    [MemberData(nameof(Paths))]
    public void BuildPath_Request_MatchesUpstreamUrlLayout(Func<RestClient, RestRequest> build, string expected)
    {
        using var c = Client(new FakeHandler((_, _) => new HttpResponseMessage(HttpStatusCode.OK)));
        Assert.Equal(expected, build(c).BuildPath());
    }

    [Fact]
    public async Task DoAsync_Success_IntoTypedObjectWithBearerToken()
    {
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, """{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","resourceVersion":"7"}}"""));
        using var c = Client(handler);
        var pod = (await c.Get().Namespace("ns").Resource("pods").Name("p").DoAsync()).Into<V1Pod>();
        Assert.Equal("7", pod.Metadata.ResourceVersion);
        Assert.Equal("https://k8s.test:6443/api/v1/namespaces/ns/pods/p", handler.Requests[0].Url);
        Assert.Equal("Bearer tok", handler.Requests[0].Authorization);
    }

    public static TheoryData<int, string, Func<KubernetesApiException, bool>> Errors => new()
    {
        { 404, """{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \"p\" not found","reason":"NotFound","code":404}""", e => e.IsNotFound && !e.IsConflict },
        { 409, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"AlreadyExists","code":409}""", e => e.IsAlreadyExists && !e.IsConflict },
        { 409, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Conflict","code":409}""", e => e.IsConflict },
        { 410, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410}""", e => e.IsResourceExpired && !e.IsGone },
        { 410, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Gone","code":410}""", e => e.IsGone },
        { 422, """{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Invalid","code":422,"details":{"causes":[{"field":"spec"}]}}""", e => e.IsInvalid && e.Status.Details.Causes[0].Field == "spec" },
        { 404, "404 page not found", e => e.IsNotFound && e.Message == "404 page not found" },
        { 500, "", e => e.Reason == "InternalError" && (int)e.Code == 500 },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public async Task DoAsync_ErrorResponse_ThrowsTypedException(int code, string body, Func<KubernetesApiException, bool> check)
    {
        using var c = Client(new FakeHandler((_, _) => FakeHandler.Json((HttpStatusCode)code, body)));
        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => c.Get().Resource("pods").Name("p").DoAsync());
        Assert.True(check(e));
        Assert.Equal(e.IsNotFound, ApiErrors.IsNotFound(new InvalidOperationException("wrap", e)));
    }

    [Fact]
    public async Task DoAsync_TooManyRequestsWithRetryAfter_RetriesAfterThatDelay()
    {
        var time = new FakeTimeProvider();
        var at = new List<DateTimeOffset>();
        var handler = new FakeHandler((_, n) =>
        {
            at.Add(time.GetUtcNow());
            if (n < 2)
            {
                var r = FakeHandler.Json(HttpStatusCode.TooManyRequests, """{"kind":"Status","reason":"TooManyRequests","code":429}""");
                r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(3));
                return r;
            }

            return FakeHandler.Json(HttpStatusCode.OK, "{}");
        });
        using var c = Client(handler, time);
        var task = c.Get().Resource("pods").DoAsync();
        await AdvanceUntilAsync(time, task);
        Assert.Equal(HttpStatusCode.OK, (await task).StatusCode);
        Assert.Equal(3, at.Count);
        Assert.True(at[1] - at[0] >= TimeSpan.FromSeconds(3));
        Assert.True(at[2] - at[1] >= TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task DoAsync_TooManyRequestsBeyondMaxRetries_Throws()
    {
        var time = new FakeTimeProvider();
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.TooManyRequests, "{}"));
        using var c = new RestClient(new ClientConfig { Host = new Uri("https://x/"), Transport = handler, TimeProvider = time, Qps = 0, MaxRetries = 2 });
        var task = c.Get().Resource("pods").DoAsync();
        await AdvanceUntilAsync(time, task);
        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => task);
        Assert.True(e.IsTooManyRequests);
        Assert.Equal(3, handler.Requests.Count);
    }

    [Fact]
    public async Task DoAsync_ClientSideThrottle_WaitsForToken()
    {
        var time = new FakeTimeProvider();
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, "{}"));
        using var c = Client(handler, time, qps: 1, burst: 1);
        await c.Get().Resource("pods").DoAsync().WaitAsync(Deadline);
        var second = c.Get().Resource("pods").DoAsync();
        Assert.False(second.IsCompleted);
        Assert.Single(handler.Requests);
        time.Advance(TimeSpan.FromSeconds(1));
        await second.WaitAsync(Deadline);
        Assert.Equal(2, handler.Requests.Count);
    }

    [Fact]
    public async Task WatchAsync_NdjsonStream_YieldsEventsThenErrorBecomesException()
    {
        var lines = string.Join('\n',
            """{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","resourceVersion":"1"}}}""",
            """{"type":"MODIFIED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","resourceVersion":"2"}}}""",
            """{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"3"}}}""",
            """{"type":"DELETED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","resourceVersion":"4"}}}""",
            """{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"Expired","code":410,"message":"too old resource version: 1 (5)"}}""") + "\n";
        var handler = new FakeHandler((_, _) => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(lines, Encoding.UTF8, "application/json") });
        using var c = Client(handler);
        var seen = new List<(WatchEventType, string?)>();
        var e = await Assert.ThrowsAsync<KubernetesApiException>(async () =>
        {
            await foreach (var ev in c.Get().Resource("pods").VersionedParams(new ListOptions { ResourceVersion = "0" }).WatchAsync<V1Pod>())
            {
                seen.Add((ev.Type, ev.Object.Metadata.ResourceVersion));
            }
        });
        Assert.True(e.IsResourceExpired);
        Assert.Equal([(WatchEventType.Added, "1"), (WatchEventType.Modified, "2"), (WatchEventType.Bookmark, "3"), (WatchEventType.Deleted, "4")], seen);
        Assert.EndsWith("api/v1/pods?resourceVersion=0&watch=true", handler.Requests[0].Url);
    }

    [Fact]
    public async Task Tracing_Verbosity6_LogsMethodUrlStatusAndLatency()
    {
        var logs = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        using var c = Client(new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, "{}")), logs: factory, verbosity: 6);
        await c.Get().Resource("pods").DoAsync();
        Assert.Contains(logs.Lines, l => l.StartsWith("GET https://k8s.test:6443/api/v1/pods 200 OK in ", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.StartsWith("Response Body", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tracing_Verbosity8_LogsBodiesAndMasksAuthorization()
    {
        var logs = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        using var c = Client(new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, """{"kind":"PodList"}""")), logs: factory, verbosity: 9);
        await c.Get().Resource("pods").DoAsync();
        Assert.Contains(logs.Lines, l => l == """Response Body: {"kind":"PodList"}""");
        Assert.Contains(logs.Lines, l => l.StartsWith("curl -v -XGET", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Contains("tok", StringComparison.Ordinal));
    }

    private static async Task AdvanceUntilAsync(FakeTimeProvider time, Task task)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!task.IsCompleted && DateTime.UtcNow < deadline)
        {
            time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.WhenAny(task, Task.Delay(1));
        }
    }

    [Fact]
    public async Task SharedClient_BearerToken_RidesTheSharedConnectionsAndOutlivesDisposal()
    {
        var handler = new FakeHandler((_, _) => FakeHandler.Json(HttpStatusCode.OK, "{}"));
        using var shared = Client(handler);
        using (var node = new RestClient(shared, "node-token"))
        {
            await node.Get().Resource("nodes").DoAsync();
            Assert.Equal("node-token", node.Config.BearerToken);
        }

        // The shared client still works (its connections were not disposed) and keeps its own identity.
        await shared.Get().Resource("nodes").DoAsync();
        Assert.Equal(["Bearer node-token", "Bearer tok"], handler.Requests.Select(r => r.Authorization));
    }
}
