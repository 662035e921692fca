using Skiff.ApiServer.Registry.Core.Allocation;
using Skiff.Storage.Memory;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Core;

public class ServiceAllocatorsTests
{
    [Fact]
    public async Task AllocateIpAsync_Random_NeverPicksTheKubernetesServiceIp()
    {
        await using var storage = new MemoryStorage();
        var allocators = new ServiceAllocators("10.0.0.0/28", 30000, 10);
        var ips = new HashSet<string>();
        for (var i = 0; i < 13; i++)
        {
            Assert.True(ips.Add(await allocators.AllocateIpAsync(storage, null, false, CancellationToken.None)));
        }

        Assert.DoesNotContain("10.0.0.1", ips);
        Assert.DoesNotContain("10.0.0.0", ips);
        Assert.DoesNotContain("10.0.0.15", ips);
        var full = await Assert.ThrowsAsync<AllocationException>(() => allocators.AllocateIpAsync(storage, null, false, CancellationToken.None));
        Assert.Equal(AllocationFailure.Full, full.Failure);
        Assert.Equal("10.0.0.1", await allocators.AllocateIpAsync(storage, "10.0.0.1", false, CancellationToken.None));
    }

    [Fact]
    public async Task AllocateIpAsync_Taken_ProvidedIpIsAlreadyAllocated()
    {
        await using var storage = new MemoryStorage();
        var allocators = new ServiceAllocators("10.0.0.0/24", 30000, 2768);
        Assert.Equal("10.0.0.10", await allocators.AllocateIpAsync(storage, "10.0.0.10", false, CancellationToken.None));
        var e = await Assert.ThrowsAsync<AllocationException>(() => allocators.AllocateIpAsync(storage, "10.0.0.10", false, CancellationToken.None));
        Assert.Equal("provided IP is already allocated", e.Message);
        await allocators.ReleaseIpAsync(storage, "10.0.0.10", CancellationToken.None);
        Assert.Equal("10.0.0.10", await allocators.AllocateIpAsync(storage, "10.0.0.10", false, CancellationToken.None));
    }

    [Fact]
    public async Task AllocateIpAsync_OutOfRange_UpstreamMessage()
    {
        await using var storage = new MemoryStorage();
        var allocators = new ServiceAllocators("10.0.0.0/24", 30000, 2768);
        var e = await Assert.ThrowsAsync<AllocationException>(() => allocators.AllocateIpAsync(storage, "10.1.0.5", false, CancellationToken.None));
        Assert.Equal("the provided IP (10.1.0.5) is not in the valid range. The range of valid IPs is 10.0.0.0/24", e.Message);
    }

    [Fact]
    public async Task AllocatePortAsync_TakenAndOutOfRange_UpstreamMessages()
    {
        await using var storage = new MemoryStorage();
        var allocators = new ServiceAllocators("10.0.0.0/24", 30000, 2768);
        Assert.Equal(30080, await allocators.AllocatePortAsync(storage, 30080, false, CancellationToken.None));
        var taken = await Assert.ThrowsAsync<AllocationException>(() => allocators.AllocatePortAsync(storage, 30080, false, CancellationToken.None));
        Assert.Equal("provided port is already allocated", taken.Message);
        var outside = await Assert.ThrowsAsync<AllocationException>(() => allocators.AllocatePortAsync(storage, 80, false, CancellationToken.None));
        Assert.Equal("provided port is not in the valid range. The range of valid ports is 30000-32767", outside.Message);
    }

    [Fact]
    public async Task AllocateAsync_DryRun_ChecksButWritesNothing()
    {
        await using var storage = new MemoryStorage();
        var allocators = new ServiceAllocators("10.0.0.0/24", 30000, 2768);
        await allocators.AllocateIpAsync(storage, "10.0.0.7", true, CancellationToken.None);
        Assert.Equal(0, await allocators.Ips.CountAsync(storage, CancellationToken.None));
        await allocators.AllocateIpAsync(storage, "10.0.0.7", false, CancellationToken.None);
        await Assert.ThrowsAsync<AllocationException>(() => allocators.AllocateIpAsync(storage, "10.0.0.7", true, CancellationToken.None));
    }

    [Fact]
    public async Task AllocatePortAsync_ConcurrentAllocators_NeverHandOutTheSamePortTwice()
    {
        await using var storage = new MemoryStorage();
        // Two allocator instances over one store, as two API servers would be.
        var a = new ServiceAllocators("10.0.0.0/24", 30000, 200);
        var b = new ServiceAllocators("10.0.0.0/24", 30000, 200);
        var tasks = Enumerable.Range(0, 200)
            .Select(i => Task.Run(() => (i % 2 == 0 ? a : b).AllocatePortAsync(storage, null, false, CancellationToken.None)))
            .ToArray();
        var ports = await Task.WhenAll(tasks);
        Assert.Equal(200, ports.Distinct().Count());
        Assert.All(ports, p => Assert.InRange(p, 30000, 30199));
        Assert.Equal(200, await a.Ports.CountAsync(storage, CancellationToken.None));
    }

    [Fact]
    public void Constructor_RejectsNonIpv4Cidr()
    {
        Assert.Throws<ArgumentException>(() => new ServiceAllocators("fd00::/64", 30000, 10));
        Assert.Throws<ArgumentException>(() => new ServiceAllocators("10.0.0.0", 30000, 10));
    }
}
