using Xunit;

namespace Skiff.Storage.Etcd.Tests;

/// <summary>One single-member etcd shared by the tests of a class; tests isolate themselves with a fresh key prefix.</summary>
public sealed class EtcdFixture : IAsyncLifetime
{
    private EtcdProcess? _etcd;

    public EtcdProcess Etcd => _etcd ?? throw new InvalidOperationException("fixture not initialized");

    public EtcdOptions Options => new() { Endpoints = [Etcd.ClientUrl] };

    /// <summary>A key prefix no other test uses.</summary>
    public static string NewPrefix() => $"/skiff-test/{Guid.NewGuid():N}/";

    public Task<EtcdStorage> ConnectAsync() => EtcdStorage.ConnectAsync(Options, CancellationToken.None);

    public async Task InitializeAsync() => _etcd = await EtcdProcess.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        if (_etcd is not null)
        {
            await _etcd.DisposeAsync();
        }
    }
}
