namespace Skiff.Api.Protobuf;

/// <summary>
/// The bytes given to the protobuf decoder are not a valid Kubernetes protobuf object: wrong magic, truncated
/// or malformed wire data, nesting too deep, an unregistered kind, or a value the JSON form cannot carry.
/// Thrown instead of any other exception, and never after handing out a partial object; the API server answers
/// it with 400 BadRequest.
/// </summary>
public sealed class ProtobufDecodeException : Exception
{
    public ProtobufDecodeException(string message)
        : base(message)
    {
    }

    public ProtobufDecodeException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
