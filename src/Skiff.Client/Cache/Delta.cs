namespace Skiff.Client.Cache;

/// <summary>
/// One change of one object. For <see cref="DeltaType.Deleted"/>, <see cref="IsFinalStateUnknown"/> says that the
/// deletion was inferred from a relist (the watch missed it), so <see cref="Object"/> is the last state the cache knew
/// (client-go's <c>DeletedFinalStateUnknown</c>).
/// </summary>
public sealed record Delta<T>(DeltaType Type, T Object, bool IsFinalStateUnknown = false);
