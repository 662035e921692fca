using Skiff.Cri;
using Skiff.HostTools;
using Skiff.Kubelet.Containerd;
using Skiff.Kubelet.Images;
using Skiff.Kubelet.Network;
using Skiff.Testing.ControlPlane;
using Xunit;

namespace Skiff.Kubelet.Tests.Testing;

/// <summary>
/// One containerd per test class: config, root, state and socket under a temp directory, the pause and busybox images
/// built from busybox-static and imported, a CNI conflist on a bridge and /24 of its own (so parallel fixtures do not
/// collide) and the cross-process <see cref="RealNodeLock"/> held from start to stop (the E2E real-node tests take it
/// too). When containerd cannot run here (not root, no binary, no busybox, the kernel refuses), <see cref="SkipReason"/>
/// says why and every test must <c>Skip.If</c> on it: such tests count as skipped, never as passed. Dispose stops
/// containerd and kills its shims, then deletes the bridge; start deletes the <c>skc*</c> bridges that earlier fixtures
/// left behind (killed runs) once no pod's veth is on them, so they do not pile up on a long-lived host.
/// </summary>
public sealed class ContainerdFixture : IAsyncLifetime
{
    /// <summary>The prefix of the fixtures' bridges (and temp directories): <c>skc</c> and six hex digits.</summary>
    public const string BridgePrefix = "skc";

    private ContainerdSupervisor? _containerd;
    private RealNodeLock? _lock;

    /// <summary>Why the tests cannot run here; null when containerd is up.</summary>
    public string? SkipReason { get; private set; }

    public ContainerdSupervisor Containerd => _containerd ?? throw new InvalidOperationException(SkipReason);

    /// <summary>A CRI connection to it.</summary>
    public CriConnection Cri { get; private set; } = null!;

    /// <summary>The pod CIDR its CNI config serves.</summary>
    public string PodCidr { get; private set; } = "";

    /// <summary>The bridge its CNI config creates.</summary>
    public string Bridge { get; private set; } = "";

    public string Directory { get; } = Path.Combine("/tmp", BridgePrefix + "-" + Guid.NewGuid().ToString("N")[..8]);

    public async Task InitializeAsync()
    {
        if (!ContainerdSupervisor.CanStart())
        {
            SkipReason = "CONTAINERD TESTS SKIPPED: /usr/bin/containerd missing or not running as root";
            return;
        }

        if (!SkiffImages.CanBuild || !File.Exists(ImageImporter.Ctr) || !System.IO.Directory.Exists("/usr/lib/cni"))
        {
            SkipReason = "CONTAINERD TESTS SKIPPED: busybox-static, ctr or the CNI plugins are not installed";
            return;
        }

        _lock = await RealNodeLock.AcquireAsync(TimeSpan.FromMinutes(30), CancellationToken.None);
        try
        {
            await DeleteStaleBridgesAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            _containerd = await ContainerdSupervisor.StartAsync(new ContainerdConfig { Directory = Directory, RuncBinary = Environment.GetEnvironmentVariable("SKIFF_TEST_RUNC") }, null, TimeSpan.FromSeconds(60), cts.Token);
            Cri = CriConnection.Connect(_containerd.Endpoint);
            var r = Random.Shared.Next(0, 100 * 256);
            PodCidr = $"10.{150 + (r / 256)}.{r % 256}.0/24";
            Bridge = BridgePrefix + Directory[^8..^2];
            await CniConfigWriter.WriteAsync(_containerd.Config.CniConfDirectory, PodCidr, Bridge, cts.Token);
            var images = Path.Combine(Directory, "images");
            await ImageImporter.EnsureAsync(Cri, SkiffImages.PauseImage, _containerd.Config.Snapshotter, images, cts.Token);
            await ImageImporter.EnsureAsync(Cri, SkiffImages.BusyboxImage, _containerd.Config.Snapshotter, images, cts.Token);
        }
        catch (Exception e) when (e is IOException or TimeoutException or Grpc.Core.RpcException or OperationCanceledException)
        {
            SkipReason = "CONTAINERD TESTS SKIPPED: containerd cannot run here: " + e.Message;
            await DisposeAsync();
        }
    }

    public async Task DisposeAsync()
    {
        Cri?.Dispose();
        if (_containerd is not null)
        {
            await _containerd.DisposeAsync();
            _containerd = null;
        }

        if (Bridge.Length > 0)
        {
            await DeleteBridgeAsync(Bridge);
        }

        _lock?.Dispose();
        _lock = null;
        try
        {
            if (File.Exists(Path.Combine(Directory, "containerd.log")))
            {
                File.Copy(Path.Combine(Directory, "containerd.log"), Path.Combine(Path.GetTempPath(), "skiff-containerd-last.log"), overwrite: true);
            }

            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Mounts left by a killed shim can pin files; the temp dir is then left behind.
        }
    }

    /// <summary>
    /// The fixtures' bridges no pod is attached to any more (<c>/sys/class/net/NAME/brif</c> empty: the pods' network
    /// namespaces, and so their veths, are gone). Called under the real-node lock, so no other fixture is starting one.
    /// </summary>
    public static IReadOnlyList<string> StaleBridges()
    {
        var net = new DirectoryInfo("/sys/class/net");
        if (!net.Exists)
        {
            return [];
        }

        return net.EnumerateDirectories(BridgePrefix + "*")
            .Where(d => d.Name.Length == BridgePrefix.Length + 6 && System.IO.Directory.Exists(Path.Combine(d.FullName, "bridge")))
            .Where(d => !System.IO.Directory.Exists(Path.Combine(d.FullName, "brif")) || !System.IO.Directory.EnumerateFileSystemEntries(Path.Combine(d.FullName, "brif")).Any())
            .Select(d => d.Name)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Deletes <see cref="StaleBridges"/>; the caller holds the real-node lock.</summary>
    public static async Task DeleteStaleBridgesAsync()
    {
        foreach (var bridge in StaleBridges())
        {
            await DeleteBridgeAsync(bridge);
        }
    }

    /// <summary>Deletes the bridge (best effort: one already gone, or a host without <c>ip</c>, is fine).</summary>
    private static async Task DeleteBridgeAsync(string bridge)
    {
        try
        {
            await HostCommand.RunAsync("ip", ["link", "delete", bridge, "type", "bridge"], null, CancellationToken.None);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No ip binary: nothing to clean with.
        }
    }
}
