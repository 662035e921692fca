using Skiff.Storage.Testing;
using Xunit;

namespace Skiff.Storage.Etcd.Tests;

/// <summary>
/// The shared storage conformance suite against a real etcd: one etcd per test class (tests in a class run one after
/// another, and each test works under its own key prefix), a fresh client per test.
/// </summary>
public sealed class EtcdConformanceTests(EtcdFixture fixture) : StorageConformanceTests, IClassFixture<EtcdFixture>
{
    protected override async Task<IStorage> CreateStorageAsync() => await fixture.ConnectAsync();
}
