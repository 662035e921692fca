using Microsoft.Extensions.Logging;
using Skiff.Cli;
using Skiff.Storage;
using Skiff.Storage.Etcd;
using Skiff.Storage.Memory;
using Skiff.Storage.Sqlite;

namespace Skiff.Components;

/// <summary>Opens the store the command line asks for (sqlite in the data directory, memory, or etcd) and closes it last.</summary>
internal sealed class StorageComponent(ServerSettings settings, ILoggerFactory loggers) : Component("storage", loggers.CreateLogger("Skiff.Storage"))
{
    private IStorage? _storage;

    /// <summary>The open store (after start).</summary>
    public IStorage Storage => _storage ?? throw new InvalidOperationException("storage has not started");

    protected override async Task StartCoreAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(settings.DataDirectory);
        try
        {
            _storage = settings.Storage switch
            {
                "memory" => new MemoryStorage(),
                "etcd" => await EtcdStorage.ConnectAsync(EtcdOptions.Parse(string.Join(",", settings.EtcdServers)), ct).ConfigureAwait(false),
                _ => await SqliteStorage.OpenAsync(Path.Combine(settings.DataDirectory, "skiff.db"), null, ct).ConfigureAwait(false),
            };
        }
        catch (Exception e) when (e is StorageException or IOException or UnauthorizedAccessException)
        {
            throw new ComponentStartException($"cannot open {settings.Storage} storage: {e.Message}", e);
        }
    }

    protected override async Task StopCoreAsync(CancellationToken ct)
    {
        if (_storage is not null)
        {
            await _storage.DisposeAsync().ConfigureAwait(false);
        }
    }
}
