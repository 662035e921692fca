using System.Threading.Channels;
using Skiff.Kubelet.Prober;

namespace Skiff.Kubelet.Tests.Testing;

/// <summary>Collects a <see cref="ProbeManager"/>'s worker passes per probe kind, so a test on a fake clock can wait for
/// the pass a tick caused (with a real-time deadline) before it advances the clock again.</summary>
internal sealed class ProbePassLog
{
    private readonly Dictionary<ProbeKind, Channel<ProbePass>> _passes = Enum.GetValues<ProbeKind>().ToDictionary(k => k, _ => Channel.CreateUnbounded<ProbePass>());

    public ProbePassLog(ProbeManager manager) => manager.Passed += p => _passes[p.Key.Kind].Writer.TryWrite(p);

    /// <summary>The next pass of a <paramref name="kind"/> worker; throws after 10 s without one.</summary>
    public async Task<ProbePass> NextAsync(ProbeKind kind) =>
        await _passes[kind].Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
}
