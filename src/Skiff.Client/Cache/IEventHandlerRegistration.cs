namespace Skiff.Client.Cache;

/// <summary>A handler added to an informer. Disposing it removes the handler.</summary>
public interface IEventHandlerRegistration : IDisposable
{
    /// <summary>True once the informer has synced and this handler has been given every object of the initial list.</summary>
    bool HasSynced { get; }
}
