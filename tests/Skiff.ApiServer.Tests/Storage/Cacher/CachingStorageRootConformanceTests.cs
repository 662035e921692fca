using Skiff.ApiServer.Storage.Cacher;
using Skiff.Storage;
using Skiff.Storage.Memory;
using Skiff.Storage.Testing;

namespace Skiff.ApiServer.Tests.Storage.Cacher;

/// <summary>
/// The shared storage conformance suite against <see cref="CachingStorage"/> caching the whole key space ("/"), so every
/// test prefix is a sub-prefix of one cache and every write, including BumpAsync, arrives as an event.
/// </summary>
public sealed class CachingStorageRootConformanceTests : StorageConformanceTests
{
    protected override async Task<IStorage> CreateStorageAsync()
    {
        var cache = new CachingStorage(new MemoryStorage(), new CachingStorageOptions { Prefixes = ["/"] });
        await cache.StartAsync(CancellationToken.None);
        return cache;
    }
}
