using System.IO.Compression;
using System.Security.Cryptography;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// The served Swagger 2.0 document (<c>/openapi/v2</c>) in both forms upstream serves: JSON and the gnostic
/// protobuf encoding of the same document. <see cref="Hash"/> is the upper-case hex SHA-512 of the JSON, used as the
/// ETag of both forms (kube-openapi reuses the JSON ETag for protobuf, relying on <c>Vary: Accept</c>). Gzip forms
/// are compressed once, on first use. Immutable and thread-safe.
/// </summary>
public sealed class OpenApiV2Document
{
    private readonly Lazy<byte[]> _jsonGzip;
    private readonly Lazy<byte[]> _protobufGzip;

    /// <summary>Wraps the two encodings of one document.</summary>
    public OpenApiV2Document(byte[] json, byte[] protobuf, DateTimeOffset built)
    {
        Json = json;
        Protobuf = protobuf;
        Built = built;
        Hash = Convert.ToHexString(SHA512.HashData(json));
        _jsonGzip = new Lazy<byte[]>(() => Gzip(json));
        _protobufGzip = new Lazy<byte[]>(() => Gzip(protobuf));
    }

    /// <summary>The document as UTF-8 JSON.</summary>
    public ReadOnlyMemory<byte> Json { get; }

    /// <summary>The document as a gnostic <c>openapi.v2.Document</c> protobuf message.</summary>
    public ReadOnlyMemory<byte> Protobuf { get; }

    /// <summary>Upper-case hex SHA-512 of <see cref="Json"/>.</summary>
    public string Hash { get; }

    /// <summary>When the document was built (its <c>Last-Modified</c>).</summary>
    public DateTimeOffset Built { get; }

    /// <summary>The gzip-compressed form of <see cref="Json"/> (or of <see cref="Protobuf"/>).</summary>
    public ReadOnlyMemory<byte> Gzipped(bool protobuf) => protobuf ? _protobufGzip.Value : _jsonGzip.Value;

    private static byte[] Gzip(ReadOnlyMemory<byte> data)
    {
        using var output = new MemoryStream(data.Length / 4);
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(data.Span);
        }

        return output.ToArray();
    }
}
