namespace Skiff.Client.Cache;

/// <summary>An <see cref="IResourceEventHandler{T}"/> made of delegates; missing ones ignore the notification.</summary>
public sealed class ResourceEventHandler<T>(
    Action<T, bool>? onAdd = null,
    Action<T, T>? onUpdate = null,
    Action<T, bool>? onDelete = null) : IResourceEventHandler<T>
{
    public void OnAdd(T obj, bool isInInitialList) => onAdd?.Invoke(obj, isInInitialList);

    public void OnUpdate(T oldObj, T newObj) => onUpdate?.Invoke(oldObj, newObj);

    public void OnDelete(T obj, bool isFinalStateUnknown) => onDelete?.Invoke(obj, isFinalStateUnknown);
}
