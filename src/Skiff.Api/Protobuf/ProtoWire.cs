namespace Skiff.Api.Protobuf;

/// <summary>
/// The public helpers of the protobuf wire layer that a client-side codec needs beside <see cref="ProtoReader"/>,
/// <see cref="ProtoWriter"/>, <see cref="ProtoSchema"/> and <see cref="ProtoEnvelope"/>: the envelope prefix, the
/// nesting limit, gogo's zero values of absent fields, and Go's text forms and string order. Every member gives the
/// same bytes and errors as the API server's own encoder and decoder, so a client built on it is wire-identical to
/// the server and to upstream.
/// </summary>
public static class ProtoWire
{
    /// <summary>Maximum nesting of messages (and embedded objects) the decoders accept; deeper input is an error.</summary>
    public const int MaxDepth = ProtoDecoder.MaxDepth;

    /// <summary>The envelope prefix <c>k8s\0</c> that starts every protobuf body (before a <c>runtime.Unknown</c>).</summary>
    public static ReadOnlySpan<byte> Magic => "k8s\0"u8;

    /// <summary>
    /// Whether gogo writes <paramref name="field"/> when the Go value is absent: true for a non-pointer singular
    /// message field (written as its zero body), false for scalars, pointers, lists and maps.
    /// </summary>
    public static bool IsZeroWrittenWhenAbsent(ProtoField field) => ProtoZero.IsWrittenWhenAbsent(field);

    /// <summary>Writes the tag <paramref name="number"/> and the zero value of <paramref name="field"/>'s type.</summary>
    public static void WriteZero(ProtoWriter writer, int number, ProtoField field) => ProtoZero.Write(writer, number, field);

    /// <summary>The body of <paramref name="message"/> with every field absent (cached; do not modify).</summary>
    public static byte[] ZeroBody(ProtoMessage message) => ProtoZero.Body(message);

    /// <summary>Decodes UTF-8 bytes to a string (invalid sequences become U+FFFD, as Go's conversion does).</summary>
    public static string Utf8(ReadOnlySpan<byte> bytes) => GoFormats.Utf8(bytes);

    /// <summary>Bytewise UTF-8 order of two strings (Go's <c>sort.Strings</c>), the order gogo writes map keys in.</summary>
    public static int CompareUtf8(string? a, string? b) => GoFormats.CompareUtf8(a, b);

    /// <summary>Go's <c>time.Duration.String</c> of <paramref name="nanoseconds"/> (e.g. <c>1h2m3.5s</c>).</summary>
    public static string FormatDuration(long nanoseconds) => GoFormats.FormatDuration(nanoseconds);

    /// <summary>Go's <c>time.ParseDuration</c> (units ns, us, µs, ms, s, m, h); false when <paramref name="text"/> is not one.</summary>
    public static bool TryParseDuration(string text, out long nanoseconds) => GoFormats.TryParseDuration(text, out nanoseconds);

    /// <summary><paramref name="text"/> shortened to 64 characters for an error message.</summary>
    public static string Shorten(string text) => GoFormats.Short(text);
}
