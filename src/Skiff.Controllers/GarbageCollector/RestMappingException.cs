using Skiff.Client.Schema;

namespace Skiff.Controllers.GarbageCollector;

/// <summary>An ownerReference names a kind no served resource has (upstream's <c>restMappingError</c>); retried with backoff.</summary>
public sealed class RestMappingException(GroupVersionKind kind)
    : Exception($"unable to get REST mapping for {kind}.")
{
    /// <summary>The unmapped kind.</summary>
    public GroupVersionKind Kind { get; } = kind;
}
