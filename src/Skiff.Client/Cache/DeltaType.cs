namespace Skiff.Client.Cache;

/// <summary>What happened to an object (client-go <c>DeltaType</c>).</summary>
public enum DeltaType
{
    Added,
    Updated,
    Deleted,

    /// <summary>The object was in a relist (its previous state may or may not be known).</summary>
    Replaced,

    /// <summary>A periodic resync re-delivered the cached object unchanged.</summary>
    Sync,
}
