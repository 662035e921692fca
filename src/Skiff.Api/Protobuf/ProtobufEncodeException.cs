namespace Skiff.Api.Protobuf;

/// <summary>
/// A JSON object cannot be written as protobuf: its kind has no protobuf message (custom resources, unknown
/// kinds) or a field holds a value of the wrong JSON type for its wire type. Nothing is written in that case.
/// </summary>
public sealed class ProtobufEncodeException : Exception
{
    public ProtobufEncodeException(string message)
        : base(message)
    {
    }

    public ProtobufEncodeException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
