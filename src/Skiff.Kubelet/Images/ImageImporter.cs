using System.Diagnostics;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using Skiff.Cri;
using Skiff.Cri.V1;

namespace Skiff.Kubelet.Images;

/// <summary>
/// Imports OCI or docker image archives into containerd's <c>k8s.io</c> namespace, where CRI sees them (k3s's air-gap
/// convention: every <c>*.tar</c> of <c>DATA_DIR/images</c> at start). Importing runs <c>ctr images import</c>: it is an
/// administrative step, not the pod path (which only speaks CRI).
/// </summary>
public static partial class ImageImporter
{
    /// <summary>The ctr binary.</summary>
    public static string Ctr { get; set; } = "/usr/bin/ctr";

    /// <summary>Imports <paramref name="archive"/> through the containerd at <paramref name="socket"/>, unpacking for <paramref name="snapshotter"/>.</summary>
    /// <exception cref="IOException">ctr failed; the message carries its output.</exception>
    public static async Task ImportAsync(string socket, string archive, string snapshotter, CancellationToken ct)
    {
        var start = new ProcessStartInfo(Ctr)
        {
            ArgumentList = { "-a", socket, "-n", "k8s.io", "images", "import", "--snapshotter", snapshotter, "--no-unpack=false", archive },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var p = Process.Start(start) ?? throw new IOException($"cannot run {Ctr}");
        var stdout = p.StandardOutput.ReadToEndAsync(ct);
        var stderr = p.StandardError.ReadToEndAsync(ct);
        await p.WaitForExitAsync(ct).ConfigureAwait(false);
        if (p.ExitCode != 0)
        {
            throw new IOException($"importing {archive} failed ({p.ExitCode}): {(await stderr.ConfigureAwait(false)).Trim()} {(await stdout.ConfigureAwait(false)).Trim()}");
        }
    }

    /// <summary>Imports every <c>*.tar</c> of <paramref name="directory"/> (if it exists); a failing archive is logged and skipped.</summary>
    public static async Task<int> ImportDirectoryAsync(string socket, string directory, string snapshotter, ILogger logger, CancellationToken ct)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var n = 0;
        foreach (var file in Directory.EnumerateFiles(directory, "*.tar").Order(StringComparer.Ordinal))
        {
            try
            {
                await ImportAsync(socket, file, snapshotter, ct).ConfigureAwait(false);
                LogImported(logger, file);
                n++;
            }
            catch (IOException e)
            {
                LogImportFailed(logger, file, e.Message);
            }
        }

        return n;
    }

    /// <summary>True when CRI knows <paramref name="image"/>.</summary>
    public static async Task<bool> PresentAsync(CriConnection cri, string image, CancellationToken ct)
    {
        try
        {
            var s = await cri.Images.ImageStatusAsync(new ImageStatusRequest { Image = new ImageSpec { Image = image } }, cancellationToken: ct).ConfigureAwait(false);
            return s.Image is not null;
        }
        catch (RpcException)
        {
            return false;
        }
    }

    /// <summary>Builds and imports Skiff's image <paramref name="image"/> (pause or busybox) unless CRI has it already.</summary>
    public static async Task EnsureAsync(CriConnection cri, string image, string snapshotter, string workDirectory, CancellationToken ct)
    {
        if (await PresentAsync(cri, image, ct).ConfigureAwait(false))
        {
            return;
        }

        Directory.CreateDirectory(workDirectory);
        var file = Path.Combine(workDirectory, (image == SkiffImages.PauseImage ? "pause" : "busybox") + ".oci.tar");
        if (image == SkiffImages.PauseImage)
        {
            await SkiffImages.BuildPauseAsync(file, ct).ConfigureAwait(false);
        }
        else if (image == SkiffImages.BusyboxImage)
        {
            await SkiffImages.BuildBusyboxAsync(file, ct).ConfigureAwait(false);
        }
        else
        {
            throw new ArgumentException($"Skiff cannot build {image}", nameof(image));
        }

        await ImportAsync(cri.SocketPath, file, snapshotter, ct).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "imported image archive {File}")]
    private static partial void LogImported(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot import image archive {File}: {Reason}")]
    private static partial void LogImportFailed(ILogger logger, string file, string reason);
}
