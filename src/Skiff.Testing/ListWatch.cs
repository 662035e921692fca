using k8s;
using k8s.Models;
using Skiff.Client.Options;
using Skiff.Client.Typed;

namespace Skiff.Testing;

/// <summary>Waits on the server's state the way a controller sees it: a list, then a watch from its resourceVersion — never by sleeping.</summary>
public static class ListWatch
{
    /// <summary>
    /// Waits until <paramref name="predicate"/> holds for the list of <paramref name="client"/>'s objects, re-evaluated on
    /// every watch event. Returns the list that satisfied it; throws <see cref="TimeoutException"/> (with a sample of the
    /// last state) after <paramref name="deadline"/> (default 30 s).
    /// </summary>
    public static async Task<IReadOnlyList<T>> UntilAsync<T, TList>(ResourceClient<T, TList> client, Func<IReadOnlyList<T>, bool> predicate,
        TimeSpan? deadline = null, ListOptions? options = null, CancellationToken ct = default)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(predicate);
        using var timeout = new CancellationTokenSource(deadline ?? TimeSpan.FromSeconds(30));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, ct);
        var items = new Dictionary<string, T>(StringComparer.Ordinal);
        try
        {
            var list = await client.ListAsync(options, cts.Token).ConfigureAwait(false);
            foreach (var i in list.Items)
            {
                items[Key(i)] = i;
            }

            if (predicate([.. items.Values]))
            {
                return [.. items.Values];
            }

            var rv = list.Metadata.ResourceVersion;
            while (true)
            {
                await foreach (var e in client.WatchAsync((options ?? new ListOptions()) with { ResourceVersion = rv }, cts.Token).ConfigureAwait(false))
                {
                    if (e.Type == WatchEventType.Bookmark)
                    {
                        continue;
                    }

                    rv = e.Object.Metadata.ResourceVersion;
                    if (e.Type == WatchEventType.Deleted)
                    {
                        items.Remove(Key(e.Object));
                    }
                    else
                    {
                        items[Key(e.Object)] = e.Object;
                    }

                    if (predicate([.. items.Values]))
                    {
                        return [.. items.Values];
                    }
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new TimeoutException($"condition on {typeof(T).Name} did not hold within the deadline; last state: {items.Count} objects: " +
                string.Join("; ", items.Values.Select(i => KubernetesJson.Serialize(i)).Take(3)));
        }

        static string Key(T o) => o.Metadata.NamespaceProperty + "/" + o.Metadata.Name;
    }
}
