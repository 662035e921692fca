using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Storage;

namespace Skiff.ApiServer.Storage.Cacher;

/// <summary>
/// What the read side needs of one stored JSON object version, found by one forward scan of its bytes and never by a
/// full parse: the offsets that let a response write the stored bytes with <c>metadata.resourceVersion</c> spliced in
/// (and, for a built-in kind's list item, <c>kind</c>/<c>apiVersion</c> left out), and the fields label and field
/// selectors read (namespace, name, labels; the resource's other selectable fields are computed once, on first use).
/// </summary>
/// <remarks>
/// <para>The watch cache attaches one to every version it holds when the version enters the cache
/// (<see cref="Attach"/>); everything the cache hands out shares it, so a watcher or a list never scans or parses what
/// the cache already did. Versions read from the store directly get a transient one (<see cref="Of"/>).</para>
/// <para>The spliced output is byte for byte what decoding, stamping the resourceVersion and serializing compactly
/// produce (the stored bytes and responses use the same relaxed escaping): the resourceVersion replaces a stored one in
/// place, or is appended as the last metadata field.</para>
/// </remarks>
internal sealed class StoredObject
{
    private static readonly ConditionalWeakTable<KeyValue, StoredObject> Attached = new();
    private static readonly byte[] ResourceVersionField = "\"resourceVersion\":\""u8.ToArray();

    private readonly int[] _props; // [start, end) of each top-level property, in document order
    private readonly int _metadata; // the index of metadata in _props
    private readonly int _metadataClose; // the offset of metadata's closing brace
    private readonly bool _metadataEmpty;
    private readonly int _rvStart; // the stored resourceVersion value's [start, end), or -1
    private readonly int _rvEnd;
    private readonly int _apiVersion; // indices in _props, or -1
    private readonly int _kind;
    private SelectableFieldValues? _fields;

    private StoredObject(int[] props, int metadata, int metadataClose, bool metadataEmpty, int rvStart, int rvEnd, int apiVersion, int kind,
        string ns, string name, IReadOnlyDictionary<string, string> labels)
    {
        _props = props;
        _metadata = metadata;
        _metadataClose = metadataClose;
        _metadataEmpty = metadataEmpty;
        _rvStart = rvStart;
        _rvEnd = rvEnd;
        _apiVersion = apiVersion;
        _kind = kind;
        Namespace = ns;
        Name = name;
        Labels = labels;
    }

    /// <summary>Off only to measure the decode-and-re-encode baseline (bench/Skiff.Bench `list-watch`).</summary>
    internal static bool Enabled { get; set; } = true;

    /// <summary><c>metadata.namespace</c> ("" when absent).</summary>
    public string Namespace { get; }

    /// <summary><c>metadata.name</c> ("" when absent).</summary>
    public string Name { get; }

    /// <summary><c>metadata.labels</c> (empty when absent); shared between versions with the same label set.</summary>
    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>Scans <paramref name="kv"/> and attaches the result to it (the watch cache, when a version enters it).</summary>
    /// <remarks>A version whose bytes are <paramref name="sameBytes"/>'s (a deletion carries the last state) shares its scan.</remarks>
    public static StoredObject? Attach(KeyValue kv, KeyValue? sameBytes = null)
    {
        if (Attached.TryGetValue(kv, out var known))
        {
            return known;
        }

        if (sameBytes is not null && kv.Value.Equals(sameBytes.Value) && Attached.TryGetValue(sameBytes, out var shared))
        {
            Attached.AddOrUpdate(kv, shared);
            return shared;
        }

        var scanned = Scan(kv.Value.Span);
        if (scanned is not null)
        {
            Attached.AddOrUpdate(kv, scanned);
        }

        return scanned;
    }

    /// <summary>
    /// Whether <paramref name="kv"/> is a version the watch cache holds (its scan attached), so other responses will see
    /// the same instance and encodings of it are worth keeping; false for a version read from the store directly.
    /// </summary>
    public static bool IsShared(KeyValue kv) => Attached.TryGetValue(kv, out _);

    /// <summary>The attached scan of <paramref name="kv"/>, or a transient one; null when the bytes are not an object with metadata.</summary>
    public static StoredObject? Of(KeyValue kv) => Attached.TryGetValue(kv, out var known) ? known : Scan(kv.Value.Span);

    /// <summary>
    /// The value of a selectable field other than namespace and name, from <paramref name="getters"/> (the resource's
    /// selectable fields): all of them are computed from one parse of the bytes the first time any is asked for, and
    /// kept as one array in the getters' order with the values interned (a pod's node, phase, restart policy and
    /// scheduler are shared by thousands of versions), not as a dictionary per version.
    /// </summary>
    public string? Field(KeyValue kv, string field, IReadOnlyDictionary<string, Func<JsonObject, string?>> getters)
    {
        var layout = SelectableFieldValues.Layout(getters);
        if (!layout.TryGetValue(field, out var index))
        {
            return null;
        }

        var fields = Volatile.Read(ref _fields);
        if (fields is null || !ReferenceEquals(fields.Order, layout))
        {
            // Another resource's getters over the same bytes (core/v1 and events.k8s.io/v1 events) are computed apart
            // and not kept; the first resource's values stay.
            var computed = SelectableFieldValues.Compute(kv, getters, layout);
            fields = Interlocked.CompareExchange(ref _fields, computed, null) ?? computed;
            if (!ReferenceEquals(fields.Order, layout))
            {
                fields = computed;
            }
        }

        return fields.Values[index];
    }

    /// <summary>
    /// Writes the object as served: <paramref name="value"/> (the bytes this was scanned from) with
    /// <c>metadata.resourceVersion</c> = <paramref name="resourceVersion"/>, without <c>kind</c> and <c>apiVersion</c>
    /// when <paramref name="dropTypeMeta"/> (a typed list's items).
    /// </summary>
    public void WriteTo(IBufferWriter<byte> output, ReadOnlySpan<byte> value, long resourceVersion, bool dropTypeMeta)
    {
        Put(output, "{"u8);
        var first = true;
        for (var i = 0; i < _props.Length; i += 2)
        {
            var index = i / 2;
            if (dropTypeMeta && (index == _apiVersion || index == _kind))
            {
                continue;
            }

            if (!first)
            {
                Put(output, ","u8);
            }

            first = false;
            int start = _props[i], end = _props[i + 1];
            if (index != _metadata)
            {
                Put(output, value[start..end]);
            }
            else if (_rvStart >= 0)
            {
                Put(output, value[start.._rvStart]);
                PutQuoted(output, resourceVersion);
                Put(output, value[_rvEnd..end]);
            }
            else
            {
                Put(output, value[start.._metadataClose]);
                if (!_metadataEmpty)
                {
                    Put(output, ","u8);
                }

                Put(output, ResourceVersionField);
                PutNumber(output, resourceVersion);
                Put(output, "\""u8);
                Put(output, value[_metadataClose..end]);
            }
        }

        Put(output, "}"u8);
    }

    /// <summary>The served bytes of <paramref name="kv"/> at <paramref name="resourceVersion"/> (see <see cref="WriteTo"/>).</summary>
    public byte[] ToBytes(KeyValue kv, long resourceVersion, bool dropTypeMeta)
    {
        var buffer = new ArrayBufferWriter<byte>(kv.Value.Length + 40);
        WriteTo(buffer, kv.Value.Span, resourceVersion, dropTypeMeta);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// <paramref name="stored"/> as served at <paramref name="resourceVersion"/> (see <see cref="WriteTo"/>), then a newline
    /// when <paramref name="newline"/> (Go's json.Encoder ends each document with one): the create response's body, spliced
    /// by the same scan the cache uses. Null when the bytes are not an object with a metadata object (the caller decodes).
    /// </summary>
    public static byte[]? Splice(ReadOnlySpan<byte> stored, long resourceVersion, bool newline)
    {
        if (Scan(stored) is not { } scanned)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(stored.Length + ResourceVersionField.Length + 24);
        scanned.WriteTo(buffer, stored, resourceVersion, dropTypeMeta: false);
        if (newline)
        {
            Put(buffer, "\n"u8);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One forward scan of a stored object; null when it is not a JSON object with a metadata object.</summary>
    internal static StoredObject? Scan(ReadOnlySpan<byte> json)
    {
        try
        {
            return ScanUnchecked(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static StoredObject? ScanUnchecked(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var props = new List<int>(12);
        int metadata = -1, metadataClose = -1, rvStart = -1, rvEnd = -1, apiVersion = -1, kind = -1;
        var metadataEmpty = true;
        string ns = "", name = "";
        IReadOnlyDictionary<string, string> labels = Interning.NoLabels;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var start = (int)reader.TokenStartIndex;
            var index = props.Count / 2;
            if (reader.ValueTextEquals("metadata"u8))
            {
                if (metadata >= 0 || !reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return null;
                }

                metadata = index;
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    metadataEmpty = false;
                    if (reader.ValueTextEquals("name"u8))
                    {
                        name = ReadString(ref reader) ?? "";
                    }
                    else if (reader.ValueTextEquals("namespace"u8))
                    {
                        ns = ReadString(ref reader) ?? "";
                    }
                    else if (reader.ValueTextEquals("labels"u8))
                    {
                        if (ReadLabels(ref reader) is not { } read)
                        {
                            return null;
                        }

                        labels = read;
                    }
                    else if (reader.ValueTextEquals("resourceVersion"u8))
                    {
                        reader.Read();
                        rvStart = (int)reader.TokenStartIndex;
                        reader.Skip();
                        rvEnd = (int)reader.BytesConsumed;
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                metadataClose = (int)reader.TokenStartIndex;
            }
            else
            {
                if (reader.ValueTextEquals("apiVersion"u8))
                {
                    apiVersion = index;
                }
                else if (reader.ValueTextEquals("kind"u8))
                {
                    kind = index;
                }

                reader.Read();
                reader.Skip();
            }

            props.Add(start);
            props.Add((int)reader.BytesConsumed);
        }

        return metadata < 0 || reader.TokenType != JsonTokenType.EndObject
            ? null
            : new StoredObject([.. props], metadata, metadataClose, metadataEmpty, rvStart, rvEnd, apiVersion, kind, ns, name, labels);
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.String)
        {
            return Interning.String(ref reader);
        }

        reader.Skip();
        return null;
    }

    /// <summary>A labels object of strings; null when a value is not a string (the caller then takes the slow path).</summary>
    private static IReadOnlyDictionary<string, string>? ReadLabels(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.Null)
        {
            return Interning.NoLabels;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = Interning.String(ref reader);
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                return null;
            }

            labels[key] = Interning.String(ref reader);
        }

        return Interning.Labels(labels);
    }

    private static void Put(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }

    private static void PutNumber(IBufferWriter<byte> output, long n)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(n, span, out var written);
        output.Advance(written);
    }

    private static void PutQuoted(IBufferWriter<byte> output, long n)
    {
        Put(output, "\""u8);
        PutNumber(output, n);
        Put(output, "\""u8);
    }

    /// <summary>The selectable field values of one version, in the order of a resource's getters (<see cref="Order"/>).</summary>
    private sealed class SelectableFieldValues(Dictionary<string, int> layout, string?[] values)
    {
        private static readonly ConditionalWeakTable<object, Dictionary<string, int>> Layouts = new();

        public Dictionary<string, int> Order { get; } = layout;

        public string?[] Values { get; } = values;

        /// <summary>Each field's index in <paramref name="getters"/>' order, one map per getters instance.</summary>
        public static Dictionary<string, int> Layout(IReadOnlyDictionary<string, Func<JsonObject, string?>> getters) =>
            Layouts.GetValue(getters, static g =>
            {
                var layout = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var name in ((IReadOnlyDictionary<string, Func<JsonObject, string?>>)g).Keys)
                {
                    layout[name] = layout.Count;
                }

                return layout;
            });

        public static SelectableFieldValues Compute(KeyValue kv, IReadOnlyDictionary<string, Func<JsonObject, string?>> getters, Dictionary<string, int> layout)
        {
            var values = new string?[layout.Count];
            if (getters.Count > 0 && JsonNode.Parse(kv.Value.Span) is JsonObject obj)
            {
                foreach (var (name, get) in getters)
                {
                    values[layout[name]] = get(obj) is { } value ? Interning.String(value) : null;
                }
            }

            return new SelectableFieldValues(layout, values);
        }
    }
}
