namespace Skiff.Client.Rest;

/// <summary>apimachinery's watch event types. Typed watch streams surface <c>ERROR</c> as a <see cref="KubernetesApiException"/>.</summary>
public enum WatchEventType
{
    Added,
    Modified,
    Deleted,
    Bookmark,
    Error,
}
