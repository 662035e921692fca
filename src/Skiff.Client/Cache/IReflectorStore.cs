namespace Skiff.Client.Cache;

/// <summary>Where a <see cref="Reflector{T}"/> writes what it sees (a <see cref="DeltaFifo{T}"/> in an informer).</summary>
public interface IReflectorStore<T>
{
    void Add(T obj);

    void Update(T obj);

    void Delete(T obj);

    /// <summary>Replaces the whole content with a fresh list taken at <paramref name="resourceVersion"/>.</summary>
    void Replace(IReadOnlyList<T> items, string resourceVersion);

    /// <summary>Re-delivers every known object (periodic resync).</summary>
    void Resync();
}
