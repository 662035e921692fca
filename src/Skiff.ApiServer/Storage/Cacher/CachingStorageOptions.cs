namespace Skiff.ApiServer.Storage.Cacher;

/// <summary>Settings of <see cref="CachingStorage"/>.</summary>
public sealed record CachingStorageOptions
{
    /// <summary>
    /// The key prefixes to cache, one watch cache each (e.g. <c>/registry/pods/</c>). A key or prefix is served by the
    /// longest cached prefix it starts with; anything outside every cached prefix goes straight to the inner store.
    /// </summary>
    public IReadOnlyList<string> Prefixes { get; init; } = [];

    /// <summary>How many recent events each prefix keeps for watch replay and reads at recent revisions.</summary>
    public int EventHistory { get; init; } = 1024;

    /// <summary>Live events buffered per watcher before it is cut off with <see cref="Skiff.Storage.WatchLaggedException"/>.</summary>
    public int WatchBufferSize { get; init; } = 1000;

    /// <summary>
    /// How long a consistent (latest) list, or a "not older than" list ahead of the cache, waits for the cache to catch up
    /// with the inner store before it is read from the inner store instead (upstream waits 3 s).
    /// </summary>
    public TimeSpan ConsistentReadTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Whether a consistent (latest, resourceVersion unset) list is served from memory once the cache is proven current
    /// (upstream's ConsistentListFromCache feature gate, on by default since 1.31). Off, it reads the inner store (a quorum
    /// read on etcd), as upstream's lists did before 1.31; "not older than" and exact lists are unaffected.
    /// </summary>
    public bool ConsistentListFromCache { get; init; } = true;

    /// <summary>
    /// How often watchers that asked for progress notifications and got nothing since the last tick receive a progress
    /// event at the cache's revision; <see cref="Timeout.InfiniteTimeSpan"/> disables the timer (progress events of the
    /// inner store are forwarded regardless).
    /// </summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest pause between attempts to re-establish a failed inner watch.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether disposing the <see cref="CachingStorage"/> also disposes the inner store.</summary>
    public bool DisposeInner { get; init; } = true;

    /// <summary>Drives the progress timer (inject a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
