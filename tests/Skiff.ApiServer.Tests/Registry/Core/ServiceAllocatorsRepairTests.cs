using Skiff.ApiServer.Registry.Core.Allocation;
using Skiff.Storage.Memory;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Core;

public class ServiceAllocatorsRepairTests
{
    [Fact]
    public async Task RepairAsync_RebuildsBitmapsFromStoredServices()
    {
        await using var storage = new MemoryStorage();
        var allocators = new ServiceAllocators("10.0.0.0/24", 30000, 2768);
        await allocators.AllocateIpAsync(storage, "10.0.0.50", false, CancellationToken.None); // leaked by a crash
        await allocators.AllocatePortAsync(storage, 30500, false, CancellationToken.None);     // leaked by a crash
        var services = new[]
        {
            (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse("""{"spec":{"clusterIP":"10.0.0.1","clusterIPs":["10.0.0.1"],"ports":[{"port":443}]}}""")!,
            (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse("""{"spec":{"clusterIP":"10.0.0.9","type":"NodePort","ports":[{"port":80,"nodePort":30080}]}}""")!,
            (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse("""{"spec":{"clusterIP":"None","ports":[]}}""")!,
        };
        await allocators.RepairAsync(storage, services, CancellationToken.None);
        Assert.Equal(2, await allocators.Ips.CountAsync(storage, CancellationToken.None));
        Assert.Equal(1, await allocators.Ports.CountAsync(storage, CancellationToken.None));
        await Assert.ThrowsAsync<AllocationException>(() => allocators.AllocateIpAsync(storage, "10.0.0.9", false, CancellationToken.None));
        Assert.Equal("10.0.0.50", await allocators.AllocateIpAsync(storage, "10.0.0.50", false, CancellationToken.None));
        Assert.Equal(30500, await allocators.AllocatePortAsync(storage, 30500, false, CancellationToken.None));
    }
}
