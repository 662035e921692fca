using Skiff.Storage.Memory;
using Skiff.Storage.Testing;

namespace Skiff.Storage.Tests.Memory;

/// <summary>Runs the shared storage conformance suite against <see cref="MemoryStorage"/>.</summary>
public sealed class MemoryStorageConformanceTests : StorageConformanceTests
{
    protected override Task<IStorage> CreateStorageAsync() => Task.FromResult<IStorage>(new MemoryStorage());
}
