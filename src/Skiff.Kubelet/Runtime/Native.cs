using System.Runtime.InteropServices;

namespace Skiff.Kubelet.Runtime;

/// <summary>The few libc calls the kubelet needs (signals and mounts).</summary>
internal static partial class Native
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>kill(2); false when the process does not exist or may not be signalled.</summary>
    public static bool Signal(int pid, int signal) => kill(pid, signal) == 0;

    /// <summary>mount(2) with no flags; false on failure (errno in <see cref="Marshal.GetLastPInvokeError"/>).</summary>
    public static bool Mount(string source, string target, string fsType, string? data) => mount(source, target, fsType, 0, data) == 0;

    /// <summary>umount2(2) with MNT_DETACH; false on failure.</summary>
    public static bool Unmount(string target) => umount2(target, 2) == 0;

    /// <summary>rename(2): atomically replaces <paramref name="to"/> (a symlink is renamed itself, not followed).</summary>
    public static void Rename(string from, string to)
    {
        if (rename(from, to) != 0)
        {
            throw new IOException($"rename {from} → {to} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rename(string from, string to);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mount(string source, string target, string fstype, ulong flags, string? data);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int umount2(string target, int flags);
}
