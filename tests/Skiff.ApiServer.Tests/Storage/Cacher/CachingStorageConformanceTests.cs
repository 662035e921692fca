using Skiff.ApiServer.Storage.Cacher;
using Skiff.Storage;
using Skiff.Storage.Memory;
using Skiff.Storage.Testing;

namespace Skiff.ApiServer.Tests.Storage.Cacher;

/// <summary>
/// The shared storage conformance suite against <see cref="CachingStorage"/> over <see cref="MemoryStorage"/>, caching
/// exactly the test's prefix: writes elsewhere (BumpAsync) move the store's revision without the cache seeing events.
/// </summary>
public sealed class CachingStorageConformanceTests : StorageConformanceTests
{
    protected override async Task<IStorage> CreateStorageAsync()
    {
        var cache = new CachingStorage(new MemoryStorage(), new CachingStorageOptions { Prefixes = [P] });
        await cache.StartAsync(CancellationToken.None);
        return cache;
    }
}
