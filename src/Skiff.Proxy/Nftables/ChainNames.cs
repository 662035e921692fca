using System.Security.Cryptography;
using System.Text;

namespace Skiff.Proxy.Nftables;

/// <summary>
/// Upstream's nftables chain names: <c>PREFIX-HASH-BASE</c> where BASE is <c>namespace/name/protocol/portname</c>
/// (plus <c>__ip/port</c> for an endpoint) and HASH the first 8 characters of the base32 SHA-256 of BASE, so names stay
/// unique when truncated to nft's limit.
/// </summary>
internal static class ChainNames
{
    private const int MaxBase = 200;

    public static string Service(string chainBase) => "service-" + HashAndTruncate(chainBase);

    public static string External(string chainBase) => "external-" + HashAndTruncate(chainBase);

    public static string Local(string chainBase) => "local-" + HashAndTruncate(chainBase);

    public static string Endpoint(string chainBase, string endpointKey) => "endpoint-" + HashAndTruncate(chainBase + "__" + endpointKey);

    public static string Affinity(string chainBase, string endpointKey) => "affinity-" + HashAndTruncate(chainBase + "__" + endpointKey);

    private static string HashAndTruncate(string name)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name));
        var result = Base32(hash)[..8] + "-" + name;
        return result.Length > MaxBase ? result[..(MaxBase - 3)] + "..." : result;
    }

    private static string Base32(byte[] data)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var sb = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in data)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                sb.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            sb.Append(alphabet[(buffer << (5 - bits)) & 31]);
        }

        return sb.ToString();
    }
}
