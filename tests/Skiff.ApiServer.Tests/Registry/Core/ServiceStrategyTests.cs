using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Registry.Core;
using Skiff.ApiServer.Registry.Core.Allocation;
using Skiff.Storage.Memory;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Core;

public class ServiceStrategyTests
{
    private static JsonObject Svc(string json) => (JsonObject)JsonNode.Parse(json)!;

    private static (ServiceStrategy Strategy, ServiceAllocators Allocators) Create() =>
        (new ServiceStrategy(new ServiceAllocators("10.0.0.0/24", 30000, 2768)), new ServiceAllocators("10.0.0.0/24", 30000, 2768));

    private static JsonObject Created(ServiceStrategy s, string json)
    {
        var obj = Svc(json);
        s.PrepareForCreate(obj);
        s.ApplyDefaults(obj);
        Assert.Empty(s.ValidateCreate(obj));
        return obj;
    }

    [Fact]
    public void ApplyDefaults_ClusterIpService_UpstreamDefaults()
    {
        var (s, _) = Create();
        var obj = Created(s, """{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]}}""");
        var spec = obj["spec"]!;
        Assert.Equal("ClusterIP", (string?)spec["type"]);
        Assert.Equal("None", (string?)spec["sessionAffinity"]);
        Assert.Equal("Cluster", (string?)spec["internalTrafficPolicy"]);
        Assert.Equal("SingleStack", (string?)spec["ipFamilyPolicy"]);
        Assert.Equal("""["IPv4"]""", spec["ipFamilies"]!.ToJsonString());
        Assert.Equal("TCP", (string?)spec["ports"]![0]!["protocol"]);
        Assert.Equal(80, (int)spec["ports"]![0]!["targetPort"]!);
        Assert.Null(spec["externalTrafficPolicy"]);
    }

    [Fact]
    public async Task BeforeWriteAsync_NodePortService_AllocatesIpAndPortAndAfterDeleteReleasesThem()
    {
        await using var storage = new MemoryStorage();
        var (s, allocators) = Create();
        var ctx = new StrategyContext(storage);
        var obj = Created(s, """{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"type":"NodePort","ports":[{"port":80}]}}""");
        var hook = await s.BeforeWriteAsync(ctx, obj, null, CancellationToken.None);
        Assert.NotNull(hook);
        await hook!.CommitAsync(CancellationToken.None);
        var ip = (string)obj["spec"]!["clusterIP"]!;
        Assert.StartsWith("10.0.0.", ip);
        Assert.NotEqual("10.0.0.1", ip);
        Assert.Equal($"[\"{ip}\"]", obj["spec"]!["clusterIPs"]!.ToJsonString());
        var port = (int)obj["spec"]!["ports"]![0]!["nodePort"]!;
        Assert.InRange(port, 30000, 32767);
        Assert.Equal("Cluster", (string?)obj["spec"]!["externalTrafficPolicy"]);
        Assert.Equal(1, await allocators.Ips.CountAsync(storage, CancellationToken.None));
        Assert.Equal(1, await allocators.Ports.CountAsync(storage, CancellationToken.None));

        await s.AfterDeleteAsync(ctx, obj, CancellationToken.None);
        Assert.Equal(0, await allocators.Ips.CountAsync(storage, CancellationToken.None));
        Assert.Equal(0, await allocators.Ports.CountAsync(storage, CancellationToken.None));
    }

    [Fact]
    public async Task BeforeWriteAsync_RequestedIpTaken_InvalidWithUpstreamMessageAndNothingLeaked()
    {
        await using var storage = new MemoryStorage();
        var (s, allocators) = Create();
        var ctx = new StrategyContext(storage);
        var first = Created(s, """{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"clusterIP":"10.0.0.20","ports":[{"port":80}]}}""");
        await s.BeforeWriteAsync(ctx, first, null, CancellationToken.None);
        var second = Created(s, """{"apiVersion":"v1","kind":"Service","metadata":{"name":"b"},"spec":{"type":"NodePort","clusterIP":"10.0.0.20","ports":[{"port":80,"nodePort":30100}]}}""");
        var e = await Assert.ThrowsAsync<StatusException>(() => s.BeforeWriteAsync(ctx, second, null, CancellationToken.None).AsTask());
        Assert.Equal(422, e.Code);
        Assert.Equal("Service \"b\" is invalid: spec.clusterIPs: Invalid value: []string{\"10.0.0.20\"}: failed to allocate IP 10.0.0.20: provided IP is already allocated", e.Message);
        Assert.False(await allocators.Ports.IsAllocatedAsync(storage, 100, CancellationToken.None));
    }

    [Fact]
    public async Task BeforeWriteAsync_RequestedNodePortTaken_InvalidAndIpRolledBack()
    {
        await using var storage = new MemoryStorage();
        var (s, allocators) = Create();
        var ctx = new StrategyContext(storage);
        var first = Created(s, """{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30080}]}}""");
        await s.BeforeWriteAsync(ctx, first, null, CancellationToken.None);
        var second = Created(s, """{"apiVersion":"v1","kind":"Service","metadata":{"name":"b"},"spec":{"type":"NodePort","ports":[{"port":80,"nodePort":30080}]}}""");
        var e = await Assert.ThrowsAsync<StatusException>(() => s.BeforeWriteAsync(ctx, second, null, CancellationToken.None).AsTask());
        Assert.Equal("Service \"b\" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated", e.Message);
        Assert.Equal(1, await allocators.Ips.CountAsync(storage, CancellationToken.None));
    }

    [Fact]
    public async Task WriteHook_Revert_ReleasesWhatWasAllocated()
    {
        await using var storage = new MemoryStorage();
        var (s, allocators) = Create();
        var obj = Created(s, """{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"type":"NodePort","ports":[{"port":80}]}}""");
        var hook = await s.BeforeWriteAsync(new StrategyContext(storage), obj, null, CancellationToken.None);
        await hook!.RevertAsync(CancellationToken.None);
        Assert.Equal(0, await allocators.Ips.CountAsync(storage, CancellationToken.None));
        Assert.Equal(0, await allocators.Ports.CountAsync(storage, CancellationToken.None));
    }

    [Fact]
    public async Task Update_ApplyWithoutAllocatedValues_KeepsIpAndNodePort()
    {
        await using var storage = new MemoryStorage();
        var (s, allocators) = Create();
        var ctx = new StrategyContext(storage);
        var old = Created(s, """{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"type":"NodePort","ports":[{"port":80}]}}""");
        await (await s.BeforeWriteAsync(ctx, old, null, CancellationToken.None))!.CommitAsync(CancellationToken.None);
        var updated = Svc("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"type":"NodePort","ports":[{"port":80}],"selector":{"x":"y"}}}""");
        s.PrepareForUpdate(updated, old);
        s.ApplyDefaults(updated);
        Assert.Empty(s.ValidateUpdate(updated, old));
        await (await s.BeforeWriteAsync(ctx, updated, old, CancellationToken.None))!.CommitAsync(CancellationToken.None);
        Assert.Equal((string?)old["spec"]!["clusterIP"], (string?)updated["spec"]!["clusterIP"]);
        Assert.Equal((int)old["spec"]!["ports"]![0]!["nodePort"]!, (int)updated["spec"]!["ports"]![0]!["nodePort"]!);
        Assert.Equal(1, await allocators.Ips.CountAsync(storage, CancellationToken.None));
        Assert.Equal(1, await allocators.Ports.CountAsync(storage, CancellationToken.None));
    }

    [Fact]
    public async Task Update_ToClusterIp_ReleasesNodePortAfterCommit()
    {
        await using var storage = new MemoryStorage();
        var (s, allocators) = Create();
        var ctx = new StrategyContext(storage);
        var old = Created(s, """{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"type":"NodePort","ports":[{"port":80}]}}""");
        await (await s.BeforeWriteAsync(ctx, old, null, CancellationToken.None))!.CommitAsync(CancellationToken.None);
        var updated = Svc(old.ToJsonString());
        updated["spec"]!["type"] = "ClusterIP";
        s.PrepareForUpdate(updated, old);
        s.ApplyDefaults(updated);
        Assert.Empty(s.ValidateUpdate(updated, old));
        var hook = await s.BeforeWriteAsync(ctx, updated, old, CancellationToken.None);
        Assert.Equal(1, await allocators.Ports.CountAsync(storage, CancellationToken.None));
        await hook!.CommitAsync(CancellationToken.None);
        Assert.Equal(0, await allocators.Ports.CountAsync(storage, CancellationToken.None));
        Assert.Null(updated["spec"]!["ports"]![0]!["nodePort"]);
    }

    [Fact]
    public void ValidateUpdate_ChangedClusterIp_MayNotChangeOnceSet()
    {
        var (s, _) = Create();
        var old = Created(s, """{"apiVersion":"v1","kind":"Service","metadata":{"name":"a"},"spec":{"clusterIP":"10.0.0.5","clusterIPs":["10.0.0.5"],"ports":[{"port":80}]}}""");
        var updated = Svc(old.ToJsonString());
        updated["spec"]!["clusterIP"] = "10.0.0.6";
        updated["spec"]!["clusterIPs"] = new JsonArray("10.0.0.6");
        var errors = s.ValidateUpdate(updated, old).Select(e => e.ToString()).ToList();
        Assert.Contains("spec.clusterIPs[0]: Invalid value: []string{\"10.0.0.6\"}: may not change once set", errors);
    }

    [Theory]
    [InlineData("""{"spec":{"ports":[]}}""", "spec.ports: Required value")]
    [InlineData("""{"spec":{"ports":[{"port":0}]}}""", "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive")]
    [InlineData("""{"spec":{"ports":[{"port":80},{"port":81,"name":"b"}]}}""", "spec.ports[0].name: Required value")]
    [InlineData("""{"spec":{"type":"Foo","ports":[{"port":80}]}}""", "spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", \"NodePort\"")]
    [InlineData("""{"spec":{"ports":[{"port":80,"nodePort":30001}]}}""", "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'")]
    [InlineData("""{"spec":{"type":"ExternalName"}}""", "spec.externalName: Required value")]
    [InlineData("""{"spec":{"ports":[{"port":80,"protocol":"HTTP"}]}}""", "spec.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"")]
    public void ValidateCreate_BadSpecs_UpstreamErrors(string json, string expected)
    {
        var (s, _) = Create();
        var obj = Svc(json);
        obj["metadata"] = new JsonObject { ["name"] = "x" };
        s.ApplyDefaults(obj);
        Assert.Contains(expected, s.ValidateCreate(obj).Select(e => e.ToString()));
    }

    [Fact]
    public void ValidateName_Dns1035Label()
    {
        var (s, _) = Create();
        Assert.Empty(s.ValidateName("web-1", false));
        Assert.NotEmpty(s.ValidateName("1web", false));
        Assert.NotEmpty(s.ValidateName("a.b", false));
    }

    [Fact]
    public void Table_NodePortAndLoadBalancerCells()
    {
        var (s, _) = Create();
        var now = DateTimeOffset.Parse("2025-01-01T00:10:00Z");
        var np = Svc("""{"metadata":{"name":"web","creationTimestamp":"2025-01-01T00:00:00Z"},"spec":{"type":"NodePort","clusterIPs":["10.0.0.9"],"ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":53,"protocol":"UDP"}],"selector":{"app":"web"}}}""");
        Assert.Equal(["web", "NodePort", "10.0.0.9", "<none>", "80:30080/TCP,53/UDP", "10m", "app=web"], s.Table.Cells(np, now));
        var lb = Svc("""{"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","ports":[{"port":80,"protocol":"TCP"}]}}""");
        Assert.Equal("<pending>", s.Table.Cells(lb, now)[3]);
        Assert.Equal("<none>", s.Table.Cells(lb, now)[2]);
    }
}
