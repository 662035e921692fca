using k8s;
using k8s.Models;
using Skiff.Client.Options;
using Skiff.Client.Typed;

namespace Skiff.Client.Tests.Integration;

/// <summary>Waits for a condition on the server by listing and then watching — never by polling with sleeps.</summary>
public static class Until
{
    public static async Task<T> ExistsAsync<T, TList>(ResourceClient<T, TList> client, Func<T, bool> predicate, TimeSpan? deadline = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
    {
        using var cts = new CancellationTokenSource(deadline ?? TimeSpan.FromSeconds(30));
        var list = await client.ListAsync(ct: cts.Token);
        if (list.Items.FirstOrDefault(predicate) is { } hit)
        {
            return hit;
        }

        await foreach (var e in client.WatchAsync(new ListOptions { ResourceVersion = list.Metadata.ResourceVersion }, cts.Token))
        {
            if (e.Type is WatchEventType.Added or WatchEventType.Modified && predicate(e.Object))
            {
                return e.Object;
            }
        }

        throw new TimeoutException("the watch ended before the condition held");
    }
}
