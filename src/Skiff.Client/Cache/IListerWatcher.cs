using Skiff.Client.Options;
using Skiff.Client.Rest;

namespace Skiff.Client.Cache;

/// <summary>
/// Lists and watches one kind of object (client-go <c>ListerWatcher</c>). The reflector lists, then watches from the
/// list's resourceVersion; a watch that throws <see cref="KubernetesApiException"/> with 410 (Expired/Gone) makes it
/// relist.
/// </summary>
public interface IListerWatcher<T>
{
    /// <summary>One page of objects and the resourceVersion of the list (and a continue token if there are more pages).</summary>
    Task<ObjectList<T>> ListAsync(ListOptions options, CancellationToken ct);

    /// <summary>The changes after <see cref="ListOptions.ResourceVersion"/>; ends when the server ends the watch.</summary>
    IAsyncEnumerable<WatchEvent<T>> WatchAsync(ListOptions options, CancellationToken ct);
}
