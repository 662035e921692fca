namespace Skiff.Api.Protobuf;

/// <summary>The value type of a protobuf field (for maps: the value type; keys are always strings).</summary>
public enum ProtoType : byte
{
    String,
    Bytes,
    Bool,
    Int32,
    Int64,
    Message,
}

/// <summary>Whether a field holds one value, a list of values, or a map (repeated key/value entries).</summary>
public enum ProtoLabel : byte
{
    Optional,
    Repeated,
    Map,
}

/// <summary>One field of a protobuf message, with the Go facts that decide zero-value handling.</summary>
public sealed class ProtoField
{
    internal ProtoField(int number, string jsonName, ProtoLabel label, ProtoType type, bool pointer, bool omitEmpty, bool inline)
    {
        Number = number;
        JsonName = jsonName;
        Label = label;
        Type = type;
        Pointer = pointer;
        OmitEmpty = omitEmpty;
        Inline = inline;
        EncodedName = System.Text.Json.JsonEncodedText.Encode(jsonName);
    }

    /// <summary>The JSON property name, pre-encoded for Utf8JsonWriter (names are ASCII identifiers).</summary>
    public System.Text.Json.JsonEncodedText EncodedName { get; }

    public int Number { get; }

    /// <summary>The position of this field in its message's <see cref="ProtoMessage.Fields"/>.</summary>
    public int Index { get; internal set; }

    /// <summary>The JSON property name (for inline fields: unused, the message's fields join the parent).</summary>
    public string JsonName { get; }

    public ProtoLabel Label { get; }

    public ProtoType Type { get; }

    /// <summary>For <see cref="ProtoType.Message"/> (or a map with message values): the message.</summary>
    public ProtoMessage? Message { get; internal set; }

    /// <summary>A Go pointer: gogo writes it only when set, so presence on the wire is meaningful.</summary>
    public bool Pointer { get; }

    /// <summary>Go's json omitempty: a zero scalar is left out of the JSON form.</summary>
    public bool OmitEmpty { get; }

    /// <summary>Go's json inline: the nested message's fields are properties of the parent JSON object.</summary>
    public bool Inline { get; }

    /// <summary>The zero value of this field's type, after the tag (<see cref="ProtoZero.Payload"/>, built on first use).</summary>
    internal byte[]? ZeroPayload { get; set; }

    /// <summary>The protobuf wire type of one value (0 varint, 2 length-delimited).</summary>
    public int WireType => Type is ProtoType.Bool or ProtoType.Int32 or ProtoType.Int64 ? 0 : 2;
}
