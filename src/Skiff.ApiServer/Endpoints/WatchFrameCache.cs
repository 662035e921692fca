using System.Runtime.CompilerServices;
using Skiff.Storage;

namespace Skiff.ApiServer.Endpoints;

/// <summary>
/// Encodings shared by every watcher and list of one stored version, as upstream's cachingObject does: the watch cache
/// hands the same <see cref="KeyValue"/> instance to all its watchers and lists, so the first response to need a given
/// encoding of it produces the bytes and the others copy them. Entries live exactly as long as the stored value they
/// came from (a <see cref="ConditionalWeakTable{TKey, TValue}"/> keyed by reference) — except list items (Table rows,
/// PartialObjectMetadataList items, protobuf list items), which are also held to a byte budget (<see cref="ListItemBudgetBytes"/>): a LIST
/// reaches every version, a watch only the changed ones, so without it every listed version would carry its row and
/// item until replaced.
/// </summary>
/// <remarks>
/// Plain-object watch frames have fixed slots (event type × format). The other encodings — PartialObjectMetadata and
/// Table watch frames and list items (<see cref="EncodingVariant"/>) — are keyed by everything the request varies: the
/// form, meta.k8s.io version, includeObject, event type and format. Requests whose output differs otherwise (pretty,
/// YAML, a Table's first event with its column definitions) bypass the cache. A time-dependent encoding (a Table row:
/// AGE, a Job's DURATION) also carries the whole second it was printed at and is re-encoded when a later second asks.
/// </remarks>
internal static class WatchFrameCache
{
    /// <summary>Past this many variants of one version (clients asking for many meta versions × includeObject values), encodings are not kept.</summary>
    private const int MaxVariants = 12;

    /// <summary>The default <see cref="ListItemBudgetBytes"/>: 64 MiB, about 70,000 bench pods' Table rows or PartialObjectMetadata items.</summary>
    internal const long DefaultListItemBudget = 64L << 20;

    /// <summary>What one kept list item costs besides its bytes (its entry, the array's header, the ledger's slot).</summary>
    private const int ListItemOverhead = 96;

    private static readonly ConditionalWeakTable<KeyValue, Frames> Table = new();

    /// <summary>List items kept, oldest first; an evicted item is taken out of its version's variants.</summary>
    private static readonly FifoByteBudget<(Frames Frames, Entry Entry)> ListItems = new(DefaultListItemBudget, static v => Evict(v.Frames, v.Entry));

    /// <summary>
    /// The most bytes of shared list items (Table rows, PartialObjectMetadataList items) kept across all versions; past
    /// it the oldest are dropped and encoded again by the next list that needs them. Watch frames are not counted (they
    /// live as long as their version, which the cache's event ring bounds).
    /// </summary>
    internal static long ListItemBudgetBytes
    {
        get => ListItems.Budget;
        set => ListItems.Budget = value;
    }

    /// <summary>The bytes of list items currently kept (their encodings plus a fixed overhead each).</summary>
    internal static long ListItemBytes => ListItems.Held;

    /// <summary>Off only to measure what the cache saves (bench/Skiff.Bench `watch-fanout`, `list-watch --only table-fanout`) and to compare outputs in tests.</summary>
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

    /// <summary>The shared frame of <paramref name="source"/> sent as <paramref name="type"/> in the given format, if one was encoded (no allocation).</summary>
    public static bool TryGet(KeyValue source, string type, bool protobuf, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? frame)
    {
        var slot = Slot(type, protobuf);
        frame = slot >= 0 && Enabled && Table.TryGetValue(source, out var frames) ? Volatile.Read(ref frames.Encoded[slot]) : null;
        return frame is not null;
    }

    /// <summary>
    /// The <paramref name="variant"/> encoding of <paramref name="source"/>, encoded by <paramref name="encode"/> once
    /// per <paramref name="second"/> (pass the same value, e.g. 0, for an encoding that does not depend on the time).
    /// Two responses racing on a miss may both encode; one result is kept.
    /// </summary>
    public static byte[] GetOrEncode(KeyValue source, EncodingVariant variant, long second, Func<byte[]> encode)
    {
        if (!Enabled)
        {
            return encode();
        }

        var frames = Table.GetValue(source, static _ => new Frames());
        var entries = Volatile.Read(ref frames.Variants);
        var at = Find(entries, variant);
        if (at >= 0 && entries![at].Second == second)
        {
            return entries[at].Bytes;
        }

        var bytes = encode();
        var listItem = variant.Form is EncodingForm.TableRow or EncodingForm.PartialMetadataItem or EncodingForm.ObjectItem;
        var cost = bytes.Length + ListItemOverhead;
        if (listItem && !ListItems.Fits(cost))
        {
            return bytes;
        }

        var entry = new Entry(variant, second, bytes);
        var ticket = listItem ? entry.Charge = new((frames, entry), cost) : null;
        Entry? replaced = null;
        var kept = false;
        lock (frames)
        {
            entries = frames.Variants;
            at = Find(entries, variant);
            if (at >= 0)
            {
                // Copy on write: readers hold the old array without a lock.
                var copy = (Entry[])entries!.Clone();
                replaced = copy[at];
                copy[at] = entry;
                Volatile.Write(ref frames.Variants, copy);
                kept = true;
            }
            else if ((entries?.Length ?? 0) < MaxVariants)
            {
                Volatile.Write(ref frames.Variants, [.. entries ?? [], entry]);
                kept = true;
            }
        }

        // Charged after the lock (an eviction takes other versions' locks). A replaced item (a row of an older second)
        // leaves the budget now; one replaced before its own charge ran is released first and so never charged.
        if (replaced?.Charge is { } old)
        {
            ListItems.Release(old);
        }

        if (ticket is not null && kept)
        {
            ListItems.Charge(ticket);
        }

        return bytes;
    }

    /// <summary>Takes <paramref name="entry"/> out of <paramref name="frames"/> if it is still there (not replaced meanwhile).</summary>
    private static void Evict(Frames frames, Entry entry)
    {
        lock (frames)
        {
            var entries = frames.Variants;
            if (entries is null)
            {
                return;
            }

            var at = Array.FindIndex(entries, e => ReferenceEquals(e, entry));
            if (at < 0)
            {
                return;
            }

            Volatile.Write(ref frames.Variants, entries.Length == 1 ? null : [.. entries[..at], .. entries[(at + 1)..]]);
        }
    }

    private static int Find(Entry[]? entries, EncodingVariant variant)
    {
        if (entries is null)
        {
            return -1;
        }

        for (var i = 0; i < entries.Length; i++)
        {
            if (entries[i].Variant == variant)
            {
                return i;
            }
        }

        return -1;
    }

    private static int Slot(string type, bool protobuf)
    {
        var t = type switch { "ADDED" => 0, "MODIFIED" => 1, "DELETED" => 2, _ => -1 };
        return t < 0 ? -1 : (t * 2) + (protobuf ? 1 : 0);
    }

    private sealed record Entry(EncodingVariant Variant, long Second, byte[] Bytes)
    {
        /// <summary>A list item's charge against <see cref="ListItems"/> (null for a watch frame), released when the entry is replaced.</summary>
        public FifoByteBudget<(Frames Frames, Entry Entry)>.Ticket? Charge { get; set; }
    }

    private sealed class Frames
    {
        public readonly byte[]?[] Encoded = new byte[]?[6];
        public Entry[]? Variants;
    }
}

/// <summary>What a shared non-plain encoding is: a watch frame or a list item, of which shape.</summary>
internal enum EncodingForm
{
    /// <summary>A PartialObjectMetadata watch frame (JSON line or protobuf frame).</summary>
    PartialMetadataFrame,
    /// <summary>A PartialObjectMetadataList item (compact JSON, or its protobuf message).</summary>
    PartialMetadataItem,
    /// <summary>A Table watch frame without column definitions (every event but a watch's first).</summary>
    TableFrame,
    /// <summary>A Table row (compact JSON).</summary>
    TableRow,
    /// <summary>An object list's item as its protobuf message (JSON items are the stored bytes themselves).</summary>
    ObjectItem,
}

/// <summary>The key of one shared encoding of a stored version: everything the request varies.</summary>
/// <param name="Form">Watch frame or list item, of which shape.</param>
/// <param name="MetaVersion">meta.k8s.io version (v1, v1beta1).</param>
/// <param name="IncludeObject">A Table row's object: None, Object or Metadata ("" for other forms).</param>
/// <param name="Type">A watch frame's event type ("" for list items).</param>
/// <param name="Protobuf">Protobuf rather than JSON.</param>
internal readonly record struct EncodingVariant(EncodingForm Form, string MetaVersion, string IncludeObject, string Type, bool Protobuf);
