namespace Skiff.Client.Cache;

/// <summary>What <see cref="DeltaFifo{T}.PopAsync"/> returns: one key's deltas, oldest first.</summary>
public sealed record PoppedDeltas<T>(string Key, IReadOnlyList<Delta<T>> Deltas, bool IsInInitialList);
