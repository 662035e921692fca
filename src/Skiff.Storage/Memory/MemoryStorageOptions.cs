namespace Skiff.Storage.Memory;

/// <summary>Settings of <see cref="MemoryStorage"/>.</summary>
public sealed record MemoryStorageOptions
{
    /// <summary>Drives the watch progress timer (inject a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How often idle progress-notify watchers get a progress event; <see cref="Timeout.InfiniteTimeSpan"/> disables.</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Live events buffered per watcher before it is cut off with <see cref="WatchLaggedException"/>.</summary>
    public int WatchBufferSize { get; init; } = 10_000;
}
