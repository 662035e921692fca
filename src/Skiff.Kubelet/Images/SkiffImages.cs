using System.Diagnostics;
using System.Text;

namespace Skiff.Kubelet.Images;

/// <summary>
/// The images Skiff builds offline from the host's busybox-static (<c>/bin/busybox</c>): the pause image every sandbox
/// runs (<see cref="PauseImage"/>, a shell that sleeps until SIGTERM/SIGINT) and a busybox image for tests and tinkering
/// (<see cref="BusyboxImage"/>: every applet linked under <c>/bin</c>, <c>sh</c> as its command).
/// </summary>
public static class SkiffImages
{
    /// <summary>The sandbox image containerd is configured with.</summary>
    public const string PauseImage = "registry.k8s.io/pause:3.10";

    /// <summary>The test busybox image.</summary>
    public const string BusyboxImage = "docker.io/library/busybox:latest";

    /// <summary>The busybox binary the images are built from.</summary>
    public const string BusyboxBinary = "/bin/busybox";

    /// <summary>Whether the images can be built here (busybox-static is installed).</summary>
    public static bool CanBuild => File.Exists(BusyboxBinary);

    /// <summary>Writes the pause image archive to <paramref name="path"/>.</summary>
    public static async Task BuildPauseAsync(string path, CancellationToken ct)
    {
        var b = await RootFsAsync(["sh", "sleep", "true"], ct).ConfigureAwait(false);
        b.Entrypoint = ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"];
        await WriteAsync(b, PauseImage, path, ct).ConfigureAwait(false);
    }

    /// <summary>Writes the busybox image archive to <paramref name="path"/>.</summary>
    public static async Task BuildBusyboxAsync(string path, CancellationToken ct)
    {
        var b = await RootFsAsync(null, ct).ConfigureAwait(false);
        b.Cmd = ["sh"];
        await WriteAsync(b, BusyboxImage, path, ct).ConfigureAwait(false);
    }

    private static async Task WriteAsync(OciImageBuilder b, string reference, string path, CancellationToken ct)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var tmp = path + ".tmp";
        await using (var file = File.Create(tmp))
        {
            await b.WriteAsync(reference, file, ct).ConfigureAwait(false);
        }

        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>A root filesystem with busybox and <paramref name="applets"/> (all of them when null) linked in <c>/bin</c>.</summary>
    private static async Task<OciImageBuilder> RootFsAsync(IReadOnlyList<string>? applets, CancellationToken ct)
    {
        applets ??= await AppletsAsync(ct).ConfigureAwait(false);
        var b = new OciImageBuilder();
        foreach (var d in new[] { "bin", "dev", "etc", "proc", "sys", "root", "var", "var/www", "usr", "usr/bin", "sbin" })
        {
            b.Directory(d);
        }

        b.Directory("tmp", (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit);
        b.File("etc/passwd", Encoding.ASCII.GetBytes("root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"));
        b.File("etc/group", Encoding.ASCII.GetBytes("root:x:0:\nnobody:x:65534:\n"));
        b.HostFile("bin/busybox", BusyboxBinary);
        foreach (var a in applets.Where(a => a != "busybox").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            b.Symlink("bin/" + a, "busybox");
        }

        return b;
    }

    private static async Task<IReadOnlyList<string>> AppletsAsync(CancellationToken ct)
    {
        var start = new ProcessStartInfo(BusyboxBinary) { ArgumentList = { "--list" }, RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(start) ?? throw new IOException("cannot run busybox --list");
        var text = await p.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }
}
