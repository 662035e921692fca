using System.Collections.Concurrent;
using Skiff.Kubelet.Server;

namespace Skiff.Kubelet.Tests.Testing;

/// <summary>
/// A test-side <see cref="IPodRuntimeLookup"/>: pods registered by the test, log directories the test writes CRI log
/// files into, and streaming URLs pointing at a test streaming server (<see cref="ProcessStreamingServer"/>).
/// </summary>
internal sealed class TestPodRuntime : IPodRuntimeLookup
{
    private readonly ConcurrentDictionary<(string, string), PodRuntimeInfo> _pods = new();

    /// <summary>The streaming server exec and attach URLs point at (null: exec is not available).</summary>
    public Uri? StreamingBase { get; set; }

    public void Set(string ns, string name, PodRuntimeInfo info) => _pods[(ns, name)] = info;

    public PodRuntimeInfo? Find(string ns, string name) => _pods.TryGetValue((ns, name), out var p) ? p : null;

    public Task<Uri> ExecUrlAsync(string containerId, IReadOnlyList<string> command, bool tty, bool stdin, bool stdout, bool stderr, CancellationToken ct)
    {
        var q = string.Join('&', command.Select(c => "cmd=" + Uri.EscapeDataString(c)));
        return Task.FromResult(new Uri(Base(), $"/exec/{containerId}?{q}&stdin={stdin}&stdout={stdout}&stderr={stderr}&tty={tty}"));
    }

    public Task<Uri> AttachUrlAsync(string containerId, bool tty, bool stdin, bool stdout, bool stderr, CancellationToken ct) =>
        Task.FromResult(new Uri(Base(), $"/attach/{containerId}?stdin={stdin}&stdout={stdout}&stderr={stderr}&tty={tty}"));

    public Task<Uri> PortForwardUrlAsync(string sandboxId, IReadOnlyList<int> ports, CancellationToken ct) =>
        Task.FromResult(new Uri(Base(), $"/portforward/{sandboxId}"));

    private Uri Base() => StreamingBase ?? throw new InvalidOperationException("no streaming server");
}
