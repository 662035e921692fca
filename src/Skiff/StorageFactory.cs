using Skiff.Storage;

namespace Skiff;

/// <summary>Opens the store the command line asks for.</summary>
internal static class StorageFactory
{
    public static Task<IStorage> OpenAsync(CommandLine cmd, CancellationToken ct)
    {
        _ = ct;
        return cmd.Storage switch
        {
            // INTERIM: the memory store until Skiff.Storage's MemoryStorage and the SQLite backend land in main.
            "memory" => Task.FromResult<IStorage>(new Skiff.ApiServer.Interim.InterimMemoryStorage()),
            _ => throw new UsageException($"storage \"{cmd.Storage}\" is not available in this build yet; use --storage memory"),
        };
    }
}
