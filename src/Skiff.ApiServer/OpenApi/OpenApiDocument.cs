namespace Skiff.ApiServer.OpenApi;

/// <summary>One served OpenAPI document: its UTF-8 JSON bytes and their content hash (upstream's ETag and <c>?hash=</c>).</summary>
/// <param name="Json">The serialized document.</param>
/// <param name="Hash">Upper-case hex SHA-512 of <paramref name="Json"/>, as upstream computes its ETag.</param>
public sealed record OpenApiDocument(ReadOnlyMemory<byte> Json, string Hash)
{
    /// <summary>Wraps serialized bytes and computes their hash.</summary>
    public static OpenApiDocument From(byte[] json) =>
        new(json, Convert.ToHexString(System.Security.Cryptography.SHA512.HashData(json)));
}
