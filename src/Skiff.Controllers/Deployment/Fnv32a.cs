namespace Skiff.Controllers.Deployment;

/// <summary>The 32-bit FNV-1a hash (Go's <c>hash/fnv.New32a</c>).</summary>
internal static class Fnv32a
{
    /// <summary>The offset basis: the hash of nothing.</summary>
    public const uint Offset = 2166136261;

    private const uint Prime = 16777619;

    /// <summary>Continues <paramref name="hash"/> over <paramref name="bytes"/>.</summary>
    public static uint Add(uint hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash ^= b;
            hash = unchecked(hash * Prime);
        }

        return hash;
    }
}
