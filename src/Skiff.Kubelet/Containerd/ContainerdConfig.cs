using System.Globalization;
using System.Text;

namespace Skiff.Kubelet.Containerd;

/// <summary>
/// The containerd (1.6) configuration Skiff writes for a containerd it starts itself, as k3s does: config version 2,
/// root, state and sockets under one directory, the CRI plugin with Skiff's pause image as <c>sandbox_image</c>, the
/// runc v2 runtime with cgroupfs (<c>SystemdCgroup = false</c>), the CNI plugins of <c>/usr/lib/cni</c> and a CNI
/// configuration directory of its own.
/// </summary>
public sealed record ContainerdConfig
{
    /// <summary>The directory everything lives under (<c>DATA_DIR/containerd</c>).</summary>
    public required string Directory { get; init; }

    /// <summary>The image every pod sandbox runs (Skiff builds it from busybox; see <see cref="Images.SkiffImages"/>).</summary>
    public string SandboxImage { get; init; } = Images.SkiffImages.PauseImage;

    /// <summary>Where the CNI plugin binaries are.</summary>
    public string CniBinDirectory { get; init; } = "/usr/lib/cni";

    /// <summary>overlayfs, or native where overlay mounts do not work.</summary>
    public string Snapshotter { get; init; } = "overlayfs";

    /// <summary>The runc binary the runtime runs (null: runc on containerd's PATH).</summary>
    public string? RuncBinary { get; init; }

    /// <summary>The containerd binary.</summary>
    public string Binary { get; init; } = "/usr/bin/containerd";

    public string Root => Path.Combine(Directory, "root");

    public string State => Path.Combine(Directory, "state");

    /// <summary>The gRPC socket (CRI and containerd's own API).</summary>
    public string Socket => Path.Combine(Directory, "containerd.sock");

    /// <summary>The CRI endpoint, <c>unix://</c> + <see cref="Socket"/>.</summary>
    public string Endpoint => "unix://" + Socket;

    /// <summary>The CNI configuration directory the kubelet writes its conflist into.</summary>
    public string CniConfDirectory => Path.Combine(Directory, "cni", "net.d");

    public string ConfigFile => Path.Combine(Directory, "config.toml");

    /// <summary>The TOML text.</summary>
    public string Render()
    {
        var sb = new StringBuilder();
        sb.AppendLine("version = 2");
        sb.AppendLine(CultureInfo.InvariantCulture, $"root = {Quote(Root)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"state = {Quote(State)}");
        sb.AppendLine("disabled_plugins = [\"io.containerd.snapshotter.v1.aufs\", \"io.containerd.snapshotter.v1.btrfs\", \"io.containerd.snapshotter.v1.zfs\", \"io.containerd.snapshotter.v1.devmapper\", \"io.containerd.internal.v1.opt\", \"io.containerd.tracing.processor.v1.otlp\"]");
        sb.AppendLine("[grpc]");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  address = {Quote(Socket)}");
        sb.AppendLine("[ttrpc]");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  address = {Quote(Socket + ".ttrpc")}");
        sb.AppendLine("[plugins.\"io.containerd.grpc.v1.cri\"]");
        sb.AppendLine(CultureInfo.InvariantCulture, $"  sandbox_image = {Quote(SandboxImage)}");
        sb.AppendLine("  stream_server_address = \"127.0.0.1\"");
        sb.AppendLine("  stream_server_port = \"0\"");
        sb.AppendLine("  enable_selinux = false");
        // Lowering oom_score_adj below our own needs CAP_SYS_RESOURCE, which containers (k3s in docker, CI sandboxes) often lack.
        sb.AppendLine("  restrict_oom_score_adj = true");
        sb.AppendLine("  [plugins.\"io.containerd.grpc.v1.cri\".containerd]");
        sb.AppendLine(CultureInfo.InvariantCulture, $"    snapshotter = {Quote(Snapshotter)}");
        sb.AppendLine("    default_runtime_name = \"runc\"");
        sb.AppendLine("    [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc]");
        sb.AppendLine("      runtime_type = \"io.containerd.runc.v2\"");
        sb.AppendLine("      [plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]");
        sb.AppendLine("        SystemdCgroup = false");
        if (RuncBinary is not null)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"        BinaryName = {Quote(RuncBinary)}");
        }

        sb.AppendLine("  [plugins.\"io.containerd.grpc.v1.cri\".cni]");
        sb.AppendLine(CultureInfo.InvariantCulture, $"    bin_dir = {Quote(CniBinDirectory)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"    conf_dir = {Quote(CniConfDirectory)}");
        return sb.ToString();
    }

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
