using System.Text;

namespace Skiff.Storage.Sqlite;

/// <summary>Key encoding: keys are stored as UTF-8 BLOBs so that SQLite's ordering is byte order.</summary>
internal static class KeyBytes
{
    public static byte[] Encode(string key) => Encoding.UTF8.GetBytes(key);

    public static string Decode(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>The smallest byte string greater than every string starting with <paramref name="prefix"/>, or null when there is none.</summary>
    public static byte[]? PrefixEnd(byte[] prefix)
    {
        for (var i = prefix.Length - 1; i >= 0; i--)
        {
            if (prefix[i] != 0xFF)
            {
                var end = prefix[..(i + 1)];
                end[i]++;
                return end;
            }
        }

        return null;
    }
}
