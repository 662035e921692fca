using System.Globalization;

namespace Skiff.Kubelet.Volumes;

/// <summary>
/// Upstream's <c>AtomicWriter</c>: a volume directory whose files are swapped all at once. The payload is written into a
/// fresh <c>..TIMESTAMP</c> directory, the <c>..data</c> symlink is replaced (rename of <c>..data_tmp</c>) to point at it,
/// and each top-level name is a symlink through <c>..data</c>; readers see the old or the new set, never a mix.
/// </summary>
public static class AtomicWriter
{
    /// <summary>A file of the payload: its content and permission bits.</summary>
    public sealed record FileProjection(byte[] Data, UnixFileMode Mode);

    /// <summary>Writes <paramref name="payload"/> (relative path → file) into <paramref name="directory"/>; returns false when nothing changed.</summary>
    public static bool Write(string directory, IReadOnlyDictionary<string, FileProjection> payload)
    {
        Directory.CreateDirectory(directory);
        var dataLink = Path.Combine(directory, "..data");
        if (Directory.Exists(dataLink) && Same(dataLink, payload))
        {
            return false;
        }

        var stamp = "..data-" + DateTime.UtcNow.ToString("yyyy_MM_dd_HH_mm_ss.fffffff", CultureInfo.InvariantCulture);
        var target = Path.Combine(directory, stamp);
        Directory.CreateDirectory(target);
        foreach (var (rel, file) in payload)
        {
            var path = Path.Combine(target, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, file.Data);
            File.SetUnixFileMode(path, file.Mode);
        }

        var old = new FileInfo(dataLink).LinkTarget;
        var tmp = Path.Combine(directory, "..data_tmp");
        if (new FileInfo(tmp).LinkTarget is not null)
        {
            File.Delete(tmp);
        }

        File.CreateSymbolicLink(tmp, stamp);
        Runtime.Native.Rename(tmp, dataLink); // atomic replacement of the symlink

        var tops = payload.Keys.Select(k => k.Split('/')[0]).ToHashSet(StringComparer.Ordinal);
        foreach (var top in tops)
        {
            var link = Path.Combine(directory, top);
            if (new FileInfo(link).LinkTarget is null)
            {
                File.CreateSymbolicLink(link, Path.Combine("..data", top));
            }
        }

        foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
        {
            var name = Path.GetFileName(entry);
            if (!name.StartsWith("..", StringComparison.Ordinal) && !tops.Contains(name) && new FileInfo(entry).LinkTarget is not null)
            {
                File.Delete(entry);
            }
        }

        if (old is not null && old != stamp && Directory.Exists(Path.Combine(directory, old)))
        {
            Directory.Delete(Path.Combine(directory, old), recursive: true);
        }

        return true;
    }

    private static bool Same(string current, IReadOnlyDictionary<string, FileProjection> payload)
    {
        var files = Directory.EnumerateFiles(current, "*", SearchOption.AllDirectories).ToList();
        if (files.Count != payload.Count)
        {
            return false;
        }

        foreach (var (rel, file) in payload)
        {
            var path = Path.Combine(current, rel);
            if (!File.Exists(path) || File.GetUnixFileMode(path) != file.Mode || !File.ReadAllBytes(path).AsSpan().SequenceEqual(file.Data))
            {
                return false;
            }
        }

        return true;
    }
}
