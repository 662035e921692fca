using Skiff.Storage;
using Skiff.Storage.Etcd;
using Skiff.Storage.Memory;
using Skiff.Storage.Sqlite;

namespace Skiff;

/// <summary>Opens the store the command line asks for.</summary>
internal static class StorageFactory
{
    public static async Task<IStorage> OpenAsync(CommandLine cmd, CancellationToken ct) => cmd.Storage switch
    {
        "memory" => new MemoryStorage(),
        "etcd" => await EtcdStorage.ConnectAsync(EtcdOptions.Parse(string.Join(",", cmd.EtcdServers)), ct),
        _ => await SqliteStorage.OpenAsync(Path.Combine(cmd.DataDirectory, "skiff.db"), null, ct),
    };
}
