namespace Skiff.Storage.Sqlite;

/// <summary>Settings of <see cref="SqliteStorage"/>.</summary>
public sealed record SqliteStorageOptions
{
    /// <summary>Drives the watch progress timer.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How often idle progress-notify watchers get a progress event; <see cref="Timeout.InfiniteTimeSpan"/> disables.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Live events buffered per watcher before it is cut off with <see cref="WatchLaggedException"/>.</summary>
    public int WatchBufferSize { get; init; } = 10_000;

    /// <summary>The most queued writes committed together in one transaction (one fsync).</summary>
    public int MaxBatchSize { get; init; } = 512;

    /// <summary>Log rows examined per background compaction step (each step is one short write transaction).</summary>
    public int CompactionBatchSize { get; init; } = 1000;

    /// <summary>Tests only: an exception to raise while writing the key inside its transaction (null: none).</summary>
    internal Func<string, Exception?>? WriteFault { get; init; }
}
