using k8s;

namespace Skiff.Client.Rest;

/// <summary>
/// One event of a watch. For <see cref="WatchEventType.Deleted"/> the object is its last state; for
/// <see cref="WatchEventType.Bookmark"/> only <c>metadata.resourceVersion</c> (and annotations) are meaningful.
/// </summary>
public sealed record WatchEvent<T>(WatchEventType Type, T Object);
