using System.Text;
using Google.Protobuf;
using Skiff.Storage.Etcd.Protocol;

namespace Skiff.Storage.Etcd.Internal;

/// <summary>Key encoding and conversions between etcd's messages and the storage contract.</summary>
internal static class EtcdKeys
{
    /// <summary>A key that Skiff never writes (it does not start with '/'), used for revision probes.</summary>
    public static readonly ByteString ProbeKey = ByteString.CopyFromUtf8("\0skiff-probe");

    private static readonly ByteString AllKeys = ByteString.CopyFrom(0);

    public static ByteString Encode(string key) => ByteString.CopyFromUtf8(key);

    /// <summary>The etcd range [start, end) of the keys starting with <paramref name="prefix"/>, from after <paramref name="startAfter"/>.</summary>
    public static (ByteString Start, ByteString End) PrefixRange(string prefix, string? startAfter)
    {
        var prefixBytes = Encoding.UTF8.GetBytes(prefix);
        var end = prefixBytes.Length == 0 ? AllKeys : PrefixEnd(prefixBytes);
        var start = prefixBytes.Length == 0 ? AllKeys : ByteString.CopyFrom(prefixBytes);
        if (startAfter is not null)
        {
            var after = Encoding.UTF8.GetBytes(startAfter + "\0");
            if (after.AsSpan().SequenceCompareTo(start.Span) > 0)
            {
                start = ByteString.CopyFrom(after);
            }
        }

        return (start, end);
    }

    /// <summary>etcd's prefix end: the prefix with its last byte below 0xff incremented and the rest dropped.</summary>
    public static ByteString PrefixEnd(byte[] prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] < 0xff)
            {
                var end = new byte[i + 1];
                Array.Copy(prefix, end, i + 1);
                end[i]++;
                return ByteString.CopyFrom(end);
            }
        }

        return AllKeys;
    }

    public static Storage.KeyValue ToKeyValue(Protocol.KeyValue kv) =>
        new(kv.Key.ToStringUtf8(), kv.Value.Memory, kv.CreateRevision, kv.ModRevision);

    public static Storage.KeyValue? ToKeyValueOrNull(Protocol.KeyValue? kv) => kv is null ? null : ToKeyValue(kv);

    /// <summary>Maps an etcd watch event onto the contract's event (Deleted carries the last value at the delete's revision).</summary>
    public static StorageEvent ToEvent(Event ev)
    {
        var revision = ev.Kv.ModRevision;
        var prev = ToKeyValueOrNull(ev.PrevKv);
        if (ev.Type == Event.Types.EventType.Delete)
        {
            var last = prev is null
                ? new Storage.KeyValue(ev.Kv.Key.ToStringUtf8(), ReadOnlyMemory<byte>.Empty, ev.Kv.CreateRevision, revision)
                : prev with { ModRevision = revision };
            return new StorageEvent(StorageEventType.Deleted, last, prev, revision);
        }

        var type = ev.Kv.CreateRevision == ev.Kv.ModRevision ? StorageEventType.Added : StorageEventType.Modified;
        return new StorageEvent(type, ToKeyValue(ev.Kv), type == StorageEventType.Added ? null : prev, revision);
    }
}
