using System.CommandLine;
using Skiff.Cri;
using Skiff.Kubelet.Images;

namespace Skiff.Cli;

/// <summary>
/// <c>skiff images import FILE.tar…</c>: imports OCI or docker image archives into the containerd of <c>skiff up</c>
/// (<c>DATA_DIR/containerd/containerd.sock</c>) or of <c>--container-runtime-endpoint</c>, namespace <c>k8s.io</c>, as
/// <c>skiff up</c> does with <c>DATA_DIR/images/*.tar</c> at start. <c>skiff images build busybox|pause FILE.tar</c>
/// writes Skiff's own images (built from busybox-static) for offline use.
/// </summary>
internal static class ImagesCommand
{
    public static Command Create()
    {
        var dataDir = new Option<string>("--data-dir")
        {
            Description = "The data directory of skiff up (its containerd socket is DIR/containerd/containerd.sock).",
            HelpName = "DIR",
            DefaultValueFactory = _ => ServerSettings.DefaultDataDirectory(),
        };
        var endpoint = new Option<string?>("--container-runtime-endpoint") { Description = "Another containerd (unix:///…).", HelpName = "ENDPOINT" };
        var files = new Argument<string[]>("FILE") { Description = "Image archives (.tar).", Arity = ArgumentArity.OneOrMore };
        var import = new Command("import", "Import image archives into containerd's k8s.io namespace (offline images).") { dataDir, endpoint, files };
        import.SetAction(async (r, ct) =>
        {
            var dir = Path.GetFullPath(r.GetValue(dataDir)!);
            var socket = r.GetValue(endpoint) is { } e ? CriConnection.SocketPathOf(e) : Path.Combine(dir, "containerd", "containerd.sock");
            var config = Path.Combine(dir, "containerd", "config.toml");
            var snapshotter = File.Exists(config) && (await File.ReadAllTextAsync(config, ct).ConfigureAwait(false)).Contains("snapshotter = \"native\"", StringComparison.Ordinal) ? "native" : "overlayfs";
            foreach (var f in r.GetValue(files) ?? [])
            {
                try
                {
                    await ImageImporter.ImportAsync(socket, Path.GetFullPath(f), snapshotter, ct).ConfigureAwait(false);
                    Console.WriteLine($"imported {f}");
                }
                catch (Exception ex) when (ex is IOException or System.ComponentModel.Win32Exception)
                {
                    await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                    return 1;
                }
            }

            return 0;
        });

        var which = new Argument<string>("IMAGE") { Description = "busybox or pause." };
        which.AcceptOnlyFromAmong("busybox", "pause");
        var output = new Argument<string>("FILE") { Description = "The archive to write." };
        var build = new Command("build", $"Write Skiff's {SkiffImages.BusyboxImage} or {SkiffImages.PauseImage} image archive (from {SkiffImages.BusyboxBinary}).") { which, output };
        build.SetAction(async (r, ct) =>
        {
            if (!SkiffImages.CanBuild)
            {
                await Console.Error.WriteLineAsync($"error: {SkiffImages.BusyboxBinary} is not installed (busybox-static)").ConfigureAwait(false);
                return 1;
            }

            var file = Path.GetFullPath(r.GetValue(output)!);
            await (r.GetValue(which) == "pause" ? SkiffImages.BuildPauseAsync(file, ct) : SkiffImages.BuildBusyboxAsync(file, ct)).ConfigureAwait(false);
            Console.WriteLine($"wrote {file}");
            return 0;
        });
        return new Command("images", "Offline container images: import archives, build Skiff's busybox and pause images.") { import, build };
    }
}
