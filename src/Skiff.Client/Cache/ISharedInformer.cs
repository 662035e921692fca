namespace Skiff.Client.Cache;

/// <summary>The type-independent part of an informer: run it, and know when its cache is complete.</summary>
public interface ISharedInformer
{
    /// <summary>True once the first list is in the cache and has been handed to the handlers.</summary>
    bool HasSynced { get; }

    /// <summary>Waits until <see cref="HasSynced"/>.</summary>
    Task WaitForCacheSyncAsync(CancellationToken ct = default);

    /// <summary>Runs the informer until <paramref name="ct"/> is cancelled. Call once.</summary>
    Task RunAsync(CancellationToken ct);
}
