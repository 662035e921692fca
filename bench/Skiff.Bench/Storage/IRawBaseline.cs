namespace Skiff.Bench.Storage;

/// <summary>
/// The raw engine under a storage backend, measured in the same run so the backend's rates can be printed as a ratio
/// of what the engine itself does at the same durability (for example plain SQLite inserts, or an etcd put loop).
/// </summary>
public interface IRawBaseline
{
    /// <summary>A short name, e.g. "sqlite".</summary>
    string Name { get; }

    /// <summary>Sequential writes, each durable on its own (one commit/fsync per write), per second.</summary>
    Task<double> MeasureSingleWritesPerSecondAsync(TimeSpan duration, CancellationToken ct);

    /// <summary>Writes committed in batches (many per commit/fsync), per second.</summary>
    Task<double> MeasureBatchedWritesPerSecondAsync(TimeSpan duration, CancellationToken ct);

    /// <summary>Point reads by key with <paramref name="readers"/> concurrent readers, per second.</summary>
    Task<double> MeasureReadsPerSecondAsync(TimeSpan duration, int readers, CancellationToken ct);
}
