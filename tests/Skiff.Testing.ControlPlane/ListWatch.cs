using k8s;
using k8s.Models;
using Skiff.Client.Options;
using Skiff.Client.Typed;

namespace Skiff.Testing.ControlPlane;

/// <summary>Waits on the server's state the way a controller sees it: a list, then a watch from its resourceVersion — never by sleeping.</summary>
public static class ListWatch
{
    /// <summary>
    /// Waits until <paramref name="predicate"/> holds for the list of <paramref name="client"/>'s objects, re-evaluated on
    /// every watch event (see <see cref="Skiff.Testing.ListWatch.UntilAsync"/>).
    /// </summary>
    public static Task<IReadOnlyList<T>> UntilAsync<T, TList>(ResourceClient<T, TList> client, Func<IReadOnlyList<T>, bool> predicate,
        TimeSpan? deadline = null, ListOptions? options = null)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
        => Skiff.Testing.ListWatch.UntilAsync(client, predicate, deadline, options);
}
