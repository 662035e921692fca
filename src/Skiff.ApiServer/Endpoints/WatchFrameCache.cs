using System.Runtime.CompilerServices;
using Skiff.Storage;

namespace Skiff.ApiServer.Endpoints;

/// <summary>
/// Encoded watch frames shared by every watcher of one storage event, as upstream's cachingObject does: the watch cache
/// hands the same <see cref="KeyValue"/> instance to all its watchers, so the first watcher to send an event in a
/// given (type, format) encodes it and the others copy the bytes. Entries live exactly as long as the stored value
/// they came from (a <see cref="ConditionalWeakTable{TKey, TValue}"/> keyed by reference). Only plain objects are
/// cached: Table and PartialObjectMetadata frames depend on the request.
/// </summary>
internal static class WatchFrameCache
{
    private static readonly ConditionalWeakTable<KeyValue, Frames> Table = new();

    /// <summary>Off only to measure what the cache saves (bench/Skiff.Bench `watch-fanout`).</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary>The frame of <paramref name="source"/> sent as <paramref name="type"/> in the given format, encoded
    /// by <paramref name="encode"/> once.</summary>
    public static byte[] GetOrEncode(KeyValue source, string type, bool protobuf, Func<byte[]> encode)
    {
        var slot = Slot(type, protobuf);
        if (slot < 0 || !Enabled)
        {
            return encode();
        }

        var frames = Table.GetValue(source, static _ => new Frames());
        return Volatile.Read(ref frames.Encoded[slot]) ?? Interlocked.CompareExchange(ref frames.Encoded[slot], encode(), null) ?? frames.Encoded[slot]!;
    }

    private static int Slot(string type, bool protobuf)
    {
        var t = type switch { "ADDED" => 0, "MODIFIED" => 1, "DELETED" => 2, _ => -1 };
        return t < 0 ? -1 : (t * 2) + (protobuf ? 1 : 0);
    }

    private sealed class Frames
    {
        public readonly byte[]?[] Encoded = new byte[]?[6];
    }
}
