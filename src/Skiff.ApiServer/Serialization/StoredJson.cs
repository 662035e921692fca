using System.Globalization;
using System.Text.Json;

namespace Skiff.ApiServer.Serialization;

/// <summary>
/// Serves stored object bytes without decoding them: stored JSON carries no <c>metadata.resourceVersion</c> (it is
/// the key's ModRevision), so it is spliced in as the last field of <c>metadata</c> — exactly where
/// <see cref="Store.GenericStore.Decode"/> puts it, so the result is byte for byte what decoding and re-encoding give.
/// </summary>
internal static class StoredJson
{
    private static ReadOnlySpan<byte> ResourceVersionField => "\"resourceVersion\":\""u8;

    /// <summary>
    /// <paramref name="stored"/> with <c>"resourceVersion":"<paramref name="resourceVersion"/>"</c> appended to its
    /// top-level <c>metadata</c> object, then a newline when <paramref name="newline"/> (Go's json.Encoder ends each
    /// document with one); null when the bytes are not an object with a <c>metadata</c> object (the caller decodes).
    /// </summary>
    public static byte[]? WithResourceVersion(ReadOnlySpan<byte> stored, long resourceVersion, bool newline)
    {
        var (insertAt, empty) = FindMetadataEnd(stored);
        if (insertAt < 0)
        {
            return null;
        }

        Span<byte> digits = stackalloc byte[20];
        resourceVersion.TryFormat(digits, out var n, default, CultureInfo.InvariantCulture);
        var extra = (empty ? 0 : 1) + ResourceVersionField.Length + n + 1;
        var result = new byte[stored.Length + extra + (newline ? 1 : 0)];
        var span = result.AsSpan();
        stored[..insertAt].CopyTo(span);
        var at = insertAt;
        if (!empty)
        {
            span[at++] = (byte)',';
        }

        ResourceVersionField.CopyTo(span[at..]);
        at += ResourceVersionField.Length;
        digits[..n].CopyTo(span[at..]);
        at += n;
        span[at++] = (byte)'"';
        stored[insertAt..].CopyTo(span[at..]);
        if (newline)
        {
            span[^1] = (byte)'\n';
        }

        return result;
    }

    /// <summary>The offset of the closing brace of the top-level <c>metadata</c> object and whether it is empty; -1 when absent.</summary>
    private static (int InsertAt, bool Empty) FindMetadataEnd(ReadOnlySpan<byte> json)
    {
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return (-1, false);
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isMetadata = reader.ValueTextEquals("metadata"u8);
                reader.Read();
                if (!isMetadata)
                {
                    reader.Skip();
                    continue;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return (-1, false);
                }

                var depth = reader.CurrentDepth;
                var empty = true;
                while (reader.Read())
                {
                    if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth)
                    {
                        return ((int)reader.TokenStartIndex, empty);
                    }

                    empty = false;
                }

                return (-1, false);
            }
        }
        catch (JsonException)
        {
        }

        return (-1, false);
    }
}
