using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using Skiff.Api.Protobuf;
using Skiff.Client.Config;
using Skiff.Client.Options;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Xunit;

namespace Skiff.Client.Tests.Rest;

/// <summary>The typed client's protobuf requests and the decoding of protobuf answers, against a scripted server.</summary>
public class ProtobufRestTests
{
    private const string Protobuf = "application/vnd.kubernetes.protobuf";

    private static readonly JsonObject Deployment = new()
    {
        ["apiVersion"] = "apps/v1",
        ["kind"] = "Deployment",
        ["metadata"] = new JsonObject { ["name"] = "web", ["namespace"] = "ns", ["resourceVersion"] = "9" },
        ["spec"] = new JsonObject { ["replicas"] = 2 },
    };

    [Fact]
    public async Task Verbs_Deployments_ProtobufBodiesOnlyForCreateAndUpdate()
    {
        var seen = new List<(HttpMethod Method, string? ContentType, string Accept, byte[] Body)>();
        using var cs = Create(async (req, ct) =>
        {
            var body = req.Content is null ? [] : await req.Content.ReadAsByteArrayAsync(ct);
            seen.Add((req.Method, req.Content?.Headers.ContentType?.MediaType, string.Join(", ", req.Headers.GetValues("Accept")), body));
            return ProtobufResponse(HttpStatusCode.OK, ProtobufCodec.Encode(Deployment));
        });
        var deployments = cs.AppsV1().Deployments("ns");
        var d = new V1Deployment { Metadata = new V1ObjectMeta { Name = "web", Labels = new Dictionary<string, string> { ["a"] = "b" } }, Spec = new V1DeploymentSpec { Replicas = 5 } };

        var got = await deployments.GetAsync("web");
        await deployments.CreateAsync(d);
        await deployments.UpdateAsync(d);
        await deployments.UpdateStatusAsync(d);
        await deployments.PatchAsync("web", PatchType.Merge, new JsonObject { ["spec"] = new JsonObject { ["replicas"] = 3 } });
        await deployments.ApplyAsync(d, "skiff");
        await deployments.DeleteAsync("web", new DeleteOptions { PropagationPolicy = "Foreground" });

        Assert.Equal((2, "9"), (got.Spec.Replicas, got.Metadata.ResourceVersion));
        Assert.All(seen, s => Assert.Equal(RestRequest.ProtobufAccept, s.Accept));
        Assert.Equal([null, Protobuf, Protobuf, Protobuf, "application/merge-patch+json", "application/apply-patch+yaml", "application/json"], seen.Select(s => s.ContentType));
        var sent = ProtobufCodec.Decode(seen[1].Body);
        Assert.Equal(("apps/v1", "Deployment", "web", "b", 5), (sent["apiVersion"]!.GetValue<string>(), sent["kind"]!.GetValue<string>(),
            sent["metadata"]!["name"]!.GetValue<string>(), sent["metadata"]!["labels"]!["a"]!.GetValue<string>(), sent["spec"]!["replicas"]!.GetValue<int>()));
    }

    [Fact]
    public async Task Get_ProtobufStatus404_IsNotFound()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = "pods \"p\" not found",
            ["reason"] = "NotFound",
            ["details"] = new JsonObject { ["name"] = "p", ["kind"] = "pods" },
            ["code"] = 404,
        };
        using var cs = Create((_, _) => Task.FromResult(ProtobufResponse(HttpStatusCode.NotFound, ProtobufCodec.Encode(status))));

        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => cs.CoreV1().Pods("ns").GetAsync("p"));

        Assert.True(e.IsNotFound);
        Assert.Equal(HttpStatusCode.NotFound, e.Code);
        Assert.Equal("pods \"p\" not found", e.Message);
        Assert.Equal("p", e.Status.Details.Name);
    }

    [Fact]
    public async Task Get_UndecodableProtobufError_FallsBackToCodeStatus()
    {
        using var cs = Create((_, _) => Task.FromResult(ProtobufResponse(HttpStatusCode.Forbidden, [1, 2, 3])));

        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => cs.CoreV1().Pods("ns").GetAsync("p"));

        Assert.True(e.IsForbidden);
    }

    [Fact]
    public async Task Watch_ProtobufFrames_DecodeEventsAndErrorEndsWithExpired()
    {
        var pod = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Pod", ["metadata"] = new JsonObject { ["name"] = "p", ["resourceVersion"] = "5" } };
        var expired = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = "too old resource version: 1 (5)",
            ["reason"] = "Expired",
            ["code"] = 410,
        };
        var stream = new MemoryStream();
        stream.Write(ProtobufWatch.EncodeEventFrame("ADDED", pod));
        stream.Write(ProtobufWatch.EncodeEventFrame("DELETED", pod));
        stream.Write(ProtobufWatch.EncodeEventFrame("ERROR", expired));
        string? url = null;
        using var cs = Create((req, _) =>
        {
            url = req.RequestUri!.ToString();
            var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(stream.ToArray()) };
            response.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(ProtobufCodec.WatchContentType);
            return Task.FromResult(response);
        });

        var events = new List<WatchEvent<V1Pod>>();
        var e = await Assert.ThrowsAsync<KubernetesApiException>(async () =>
        {
            await foreach (var ev in cs.CoreV1().Pods("ns").WatchAsync(new ListOptions { ResourceVersion = "1" }))
            {
                events.Add(ev);
            }
        });

        Assert.Contains("watch=true", url, StringComparison.Ordinal);
        Assert.Equal([WatchEventType.Added, WatchEventType.Deleted], events.Select(x => x.Type));
        Assert.All(events, x => Assert.Equal(("p", "5"), (x.Object.Metadata.Name, x.Object.Metadata.ResourceVersion)));
        Assert.True(e.IsResourceExpired);
        Assert.Equal(HttpStatusCode.Gone, e.Code);
    }

    [Fact]
    public async Task List_EmptyProtobufList_HasEmptyItems()
    {
        var list = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "PodList", ["metadata"] = new JsonObject { ["resourceVersion"] = "7" } };
        using var cs = Create((_, _) => Task.FromResult(ProtobufResponse(HttpStatusCode.OK, ProtobufCodec.Encode(list))));

        var got = await cs.CoreV1().Pods("ns").ListAsync();

        Assert.NotNull(got.Items);
        Assert.Empty(got.Items);
        Assert.Equal("7", got.Metadata.ResourceVersion);
    }

    [Theory]
    [InlineData(638_000_000_000_000_000L)]
    [InlineData(638_000_000_000_000_001L)]
    [InlineData(638_000_000_000_001_230L)]
    [InlineData(638_000_000_001_234_567L)]
    public void Serialize_LeaseWithMicroTimes_RoundTripsAtMicrosecondPrecision(long ticks)
    {
        var t = new DateTime(ticks, DateTimeKind.Utc);
        var lease = new V1Lease
        {
            ApiVersion = "coordination.k8s.io/v1",
            Kind = "Lease",
            Metadata = new V1ObjectMeta { Name = "l", NamespaceProperty = "ns", ResourceVersion = "3" },
            Spec = new V1LeaseSpec { HolderIdentity = "", LeaseDurationSeconds = 1, AcquireTime = t, RenewTime = t, LeaseTransitions = 4 },
        };

        var back = ProtobufSerialization.Deserialize<V1Lease>(ProtobufSerialization.Serialize(lease));

        var micros = new DateTime(ticks - (ticks % 10), DateTimeKind.Utc);
        Assert.Equal((micros, micros), (back.Spec.AcquireTime!.Value.ToUniversalTime(), back.Spec.RenewTime!.Value.ToUniversalTime()));
        Assert.Equal(("", 1, 4), (back.Spec.HolderIdentity, back.Spec.LeaseDurationSeconds, back.Spec.LeaseTransitions));
    }

    private static Clientset Create(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond)
        => new(new ClientConfig { Host = new Uri("https://k8s.test/"), Transport = new Scripted(respond), Qps = 0, MaxRetries = 0 });

    private static HttpResponseMessage ProtobufResponse(HttpStatusCode code, byte[] body)
    {
        var response = new HttpResponseMessage(code) { Content = new ByteArrayContent(body) };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue(Protobuf);
        return response;
    }

    private sealed class Scripted(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> respond) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => respond(request, cancellationToken);
    }
}
