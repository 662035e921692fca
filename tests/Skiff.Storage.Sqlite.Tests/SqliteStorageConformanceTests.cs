using Skiff.Storage.Testing;

namespace Skiff.Storage.Sqlite.Tests;

/// <summary>Runs the shared storage conformance suite against <see cref="SqliteStorage"/> on a fresh file per store.</summary>
public sealed class SqliteStorageConformanceTests : StorageConformanceTests, IDisposable
{
    private readonly TempDirectory _dir = new();
    private int _stores;

    protected override async Task<IStorage> CreateStorageAsync() =>
        await SqliteStorage.OpenAsync(_dir.File($"store{Interlocked.Increment(ref _stores)}.db"), null, CancellationToken.None);

    public void Dispose() => _dir.Dispose();
}
