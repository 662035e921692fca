using System.Text.Json.Nodes;
using Skiff.ApiServer.Store;
using Skiff.Storage;

namespace Skiff.ApiServer.Authorization;

/// <summary>
/// Keeps an in-memory copy of every object under a storage prefix, like an informer: one list, then a watch from the
/// list's revision, relisting when the watch falls behind or its revision was compacted. <see cref="Changed"/> is
/// raised (on the follower's task) after every change, with the key and the new object (null when deleted).
/// Objects <paramref name="ignore"/> answers true for (from their stored bytes) are never decoded: the list leaves them
/// out and a change to one is reported as its deletion (null), so a follower that needs few of the objects under its
/// prefix (the node graph: only pods bound to a node) does not parse every write.
/// </summary>
internal sealed class StorageFollower(IStorage storage, string prefix, Func<KeyValue, bool>? ignore = null)
{
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Raised after a key changed: the key and its new object, or null when it was deleted.</summary>
    public event Action<string, JsonObject?>? Changed;

    /// <summary>Raised after a relist replaced the whole content: the complete new content by key.</summary>
    public event Action<IReadOnlyDictionary<string, JsonObject>>? Reset;

    /// <summary>Completes once the first list has been delivered.</summary>
    public Task Synced => _synced.Task;

    /// <summary>Runs until <paramref name="ct"/> is cancelled or the store is disposed.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            long revision;
            try
            {
                var all = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
                string? after = null;
                revision = 0;
                while (true)
                {
                    var page = await storage.ListAsync(prefix, new ListOptions(revision, 500, after), ct).ConfigureAwait(false);
                    revision = page.Revision;
                    foreach (var kv in page.Items)
                    {
                        if (ignore?.Invoke(kv) != true)
                        {
                            all[kv.Key] = GenericStore.Decode(kv);
                        }
                    }

                    if (!page.HasMore || page.Items.Count == 0)
                    {
                        break;
                    }

                    after = page.Items[^1].Key;
                }

                Reset?.Invoke(all);
                _synced.TrySetResult();
                await foreach (var e in storage.WatchAsync(prefix, new WatchOptions(revision), ct).ConfigureAwait(false))
                {
                    if (e.Kv is null)
                    {
                        continue;
                    }

                    Changed?.Invoke(e.Kv.Key, e.Type == StorageEventType.Deleted || ignore?.Invoke(e.Kv) == true ? null : GenericStore.Decode(e.Kv));
                }

                return; // the store was disposed
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is RevisionCompactedException or WatchLaggedException)
            {
                // Relist.
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }
}
