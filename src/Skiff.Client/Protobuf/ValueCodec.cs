using Skiff.Api.Protobuf;

namespace Skiff.Client.Protobuf;

/// <summary>
/// Reads and writes one protobuf value of a field as the model's .NET representation <typeparamref name="T"/>, with the
/// zero-value rules of the JSON path (ProtoDecoder's ZeroValue and omitempty, ProtoEncoder's WriteZeroAs).
/// </summary>
internal abstract class ValueCodec<T>
{
    /// <summary>The wire type of one value (0 varint, 2 length-delimited).</summary>
    public abstract int WireType { get; }

    /// <summary>Whether the zero of an absent non-pointer field is a non-null value (so it must be set).</summary>
    public virtual bool FillsZero => false;

    /// <summary>Whether a null model value is written as nothing (a nil []byte) rather than as the zero.</summary>
    public virtual bool NullWritesNothing => false;

    /// <summary>Whether a model value is absent (null in the JSON form: not written, or written as the zero).</summary>
    public virtual bool IsAbsent(T value) => value is null;

    /// <summary>Reads one value (the tag already read and its wire type checked).</summary>
    public abstract T Read(ref ProtoReader reader, int depth);

    /// <summary>The value an absent non-pointer field decodes to (ProtoDecoder.ZeroValue).</summary>
    public virtual T Zero(int depth) => default!;

    /// <summary>The value of a map entry without a value.</summary>
    public virtual T MapZero(int depth) => Zero(depth);

    /// <summary>Whether a present value is Go's zero, left out of the JSON form by omitempty.</summary>
    public virtual bool IsZero(T value) => false;

    /// <summary>Writes tag and value (value not null).</summary>
    public abstract void Write(ProtoWriter writer, int number, T value, int depth);

    /// <summary>Writes tag and the zero value (as ProtoJsonEncoder.WriteZeroAs does).</summary>
    public abstract void WriteZero(ProtoWriter writer, int number);
}
