using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Store;

/// <summary>
/// The length of <c>JsonSerializer.SerializeToUtf8Bytes(node, options)</c> without building the bytes: the writer
/// writes into one per-thread scratch buffer that is overwritten again and again and only counted. For size limits
/// checked before the object is encoded for real (a create's 413 before managedFields are computed).
/// </summary>
internal sealed class EncodedSize : IBufferWriter<byte>
{
    private const int ScratchBytes = 16 * 1024;

    [ThreadStatic]
    private static EncodedSize? t_counter;

    private byte[] _scratch = new byte[ScratchBytes];
    private long _count;

    private EncodedSize()
    {
    }

    /// <summary>The number of UTF-8 bytes <paramref name="node"/> serializes to with <paramref name="options"/>.</summary>
    public static long Of(JsonNode node, JsonSerializerOptions options)
    {
        var counter = t_counter ??= new EncodedSize();
        counter._count = 0;
        using (var writer = new Utf8JsonWriter(counter, new JsonWriterOptions
               {
                   Encoder = options.Encoder,
                   Indented = options.WriteIndented,
                   MaxDepth = options.MaxDepth,
                   SkipValidation = true,
               }))
        {
            JsonSerializer.Serialize(writer, node, options);
        }

        if (counter._scratch.Length > ScratchBytes)
        {
            counter._scratch = new byte[ScratchBytes]; // a huge value asked for a big span once; do not keep it
        }

        return counter._count;
    }

    /// <inheritdoc/>
    public void Advance(int count) => _count += count;

    /// <inheritdoc/>
    public Memory<byte> GetMemory(int sizeHint = 0) => Scratch(sizeHint);

    /// <inheritdoc/>
    public Span<byte> GetSpan(int sizeHint = 0) => Scratch(sizeHint);

    private byte[] Scratch(int sizeHint)
    {
        if (sizeHint > _scratch.Length)
        {
            _scratch = new byte[sizeHint];
        }

        return _scratch;
    }
}
