using System.Security.Cryptography;

namespace Skiff.ApiServer.Store;

/// <summary>
/// Random (version 4) UUIDs as upstream's <c>uuid.NewUUID</c> makes them for <c>metadata.uid</c> and audit IDs, from a
/// per-thread buffer of cryptographically random bytes refilled 64 UUIDs at a time: <see cref="Guid.NewGuid"/> asks the
/// kernel once per call (a <c>getrandom</c> system call on Linux), which showed in every create's profile.
/// </summary>
internal static class Uids
{
    private const int PerFill = 64;

    [ThreadStatic]
    private static byte[]? t_buffer;

    [ThreadStatic]
    private static int t_next;

    /// <summary>A new random UUID.</summary>
    public static Guid NewGuid()
    {
        var buffer = t_buffer ??= new byte[16 * PerFill];
        if (t_next == 0)
        {
            RandomNumberGenerator.Fill(buffer);
        }

        var bytes = buffer.AsSpan(16 * t_next, 16);
        t_next = (t_next + 1) % PerFill;

        // RFC 9562 §5.4 in Guid's byte order: version 4 in the high nibble of byte 7, variant 10 in the top bits of byte 8.
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        var uid = new Guid(bytes);
        bytes.Clear(); // a UUID handed out is not left behind in memory
        return uid;
    }

    /// <summary>A new random UUID in its 36-character text form (<c>xxxxxxxx-xxxx-4xxx-…</c>).</summary>
    public static string New() => NewGuid().ToString();
}
