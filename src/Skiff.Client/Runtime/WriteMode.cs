namespace Skiff.Client.Runtime;

/// <summary>How a reconciler helper writes a change it made to an object.</summary>
public enum WriteMode
{
    /// <summary>A JSON merge patch of just the changed fields, carrying the object's resourceVersion (an optimistic lock: a stale object gets 409 Conflict).</summary>
    Patch,

    /// <summary>A PUT of the whole object (a stale resourceVersion gets 409 Conflict).</summary>
    Update,
}
