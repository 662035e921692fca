namespace Skiff.Client.Config;

/// <summary>
/// The encoding the typed clients use on the wire (client-go <c>rest.Config.ContentType</c>). Protobuf is used only
/// for kinds that have a protobuf form (the built-in kinds); custom resources and the dynamic client always use JSON.
/// </summary>
public enum WireFormat
{
    /// <summary><c>application/json</c> for every request and response.</summary>
    Json,

    /// <summary>
    /// <c>application/vnd.kubernetes.protobuf</c> bodies for built-in kinds, with
    /// <c>Accept: application/vnd.kubernetes.protobuf, application/json</c>; responses are decoded by their content type.
    /// </summary>
    Protobuf,
}
