namespace Skiff.Api.Protobuf;

/// <summary>Constants shared by the protobuf decoder and encoder.</summary>
internal static class ProtoDecoder
{
    /// <summary>Maximum nesting of messages (and embedded objects) accepted.</summary>
    public const int MaxDepth = 100;

    /// <summary>The envelope prefix, "k8s\0".</summary>
    public static readonly byte[] Magic = "k8s\0"u8.ToArray();
}
