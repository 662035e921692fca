using System.Text;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Storage.Cacher;
using Skiff.ApiServer.Tests.Storage.Cacher;
using Skiff.Storage.Memory;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission;

/// <summary>
/// The plugins' reads: keys as the registry writes them; a get answered by the watch cache when it holds the object
/// (decoded once per version, no store read), else by the store (an object the cache does not hold, or a resource
/// with no cache).
/// </summary>
public sealed class AdmissionReaderTests
{
    [Theory]
    [InlineData("", "pods", "ns", "p", "/registry/pods/ns/p")]
    [InlineData("", "namespaces", "", "ns", "/registry/namespaces/ns")]
    [InlineData("scheduling.k8s.io", "priorityclasses", "", "high", "/registry/scheduling.k8s.io/priorityclasses/high")]
    [InlineData("apps", "deployments", "ns", "d", "/registry/apps/deployments/ns/d")]
    public void Key_IsThePrefixAndTheName(string group, string resource, string ns, string name, string expected)
    {
        Assert.Equal(expected, AdmissionReader.Key(group, resource, ns, name));
        Assert.Equal(expected, AdmissionReader.Prefix(group, resource, ns) + name);
    }

    [Fact]
    public async Task GetAsync_ReadsTheCacheWhenItHoldsTheObject_ElseTheStore()
    {
        var memory = new MemoryStorage();
        var counted = new InstrumentedStorage(memory);
        await using var cache = new CachingStorage(counted, new CachingStorageOptions { Prefixes = ["/registry/namespaces/"] });
        var reader = new AdmissionReader(cache);
        await memory.CreateAsync("/registry/namespaces/ns", Encoding.UTF8.GetBytes("""{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"ns"}}"""), default);
        await memory.CreateAsync("/registry/serviceaccounts/ns/default", Encoding.UTF8.GetBytes("""{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"default","namespace":"ns"}}"""), default);
        await Skiff.ApiServer.Tests.Webhooks.WebhookFixture.EventuallyAsync(
            () => Task.FromResult(cache.TryGetCached("/registry/namespaces/ns", 0, out var kv) && kv is not null), "the cache to hold the namespace");

        var reads = counted.Gets + counted.Lists;
        var first = await reader.GetAsync("", "namespaces", "", "ns", default);
        var second = await reader.GetAsync("", "namespaces", "", "ns", default);
        Assert.Equal("ns", (string?)first?["metadata"]?["name"]);
        Assert.NotNull(first!["metadata"]!["resourceVersion"]);
        Assert.Same(first, second);
        Assert.Equal(reads, counted.Gets + counted.Lists);

        var sa = await reader.GetAsync("", "serviceaccounts", "ns", "default", default);
        Assert.Equal("default", (string?)sa?["metadata"]?["name"]);
        Assert.True(counted.Gets + counted.Lists > reads, "an object of an uncached resource is read from the store");

        Assert.Null(await reader.GetAsync("", "namespaces", "", "absent", default));
        Assert.Null(await reader.GetAsync("", "serviceaccounts", "ns", "absent", default));
    }
}
