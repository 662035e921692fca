using Microsoft.Extensions.Logging;
using Skiff.Client.Config;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Tests.Integration;
using Xunit;

namespace Skiff.Client.Tests.Runtime;

/// <summary>
/// The hosting the controller manager and the scheduler share: the component leads on <c>kube-system/&lt;lease&gt;</c>
/// as its identity, stops on cancellation without an error, and ends in <see cref="LeaderElectionLostException"/> when
/// another process takes the Lease over.
/// </summary>
public sealed class ControlPlaneComponentTests(ControlPlaneFixture fx) : IClassFixture<ControlPlaneFixture>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RunAsync_LeadsOnItsLease_AndStopsQuietlyWhenCancelled()
    {
        var lease = "component-" + Guid.NewGuid().ToString("N")[..8];
        using var component = new ControlPlaneComponent(Options("first"), lease, userAgent: "test-component/v0");
        Assert.Equal("test-component/v0", component.Rest.Config.UserAgent);

        using var stop = new CancellationTokenSource();
        var run = component.RunAsync(stop.Token);
        await Task.WhenAny(component.Manager.Elected, run).WaitAsync(Deadline);
        Assert.False(run.IsCompleted);
        var held = await component.Clientset.CoordinationV1().Leases(ControlPlaneComponent.LeaseNamespace).GetAsync(lease);
        Assert.Equal("first", held.Spec.HolderIdentity);

        await stop.CancelAsync();
        await run.WaitAsync(Deadline);
    }

    [Fact]
    public async Task RunAsync_LeaseTakenOver_ThrowsLeaderElectionLost()
    {
        var lease = "component-" + Guid.NewGuid().ToString("N")[..8];
        using var component = new ControlPlaneComponent(Options("first"), lease);
        using var stop = new CancellationTokenSource(Deadline);
        var run = component.RunAsync(stop.Token);
        await component.Manager.Elected.WaitAsync(Deadline);

        // Another process takes the Lease over (retried while the leader's renewals win the race for the version).
        var leases = component.Clientset.CoordinationV1().Leases(ControlPlaneComponent.LeaseNamespace);
        while (true)
        {
            var held = await leases.GetAsync(lease);
            held.Spec.HolderIdentity = "thief";
            held.Spec.LeaseDurationSeconds = 600;
            held.Spec.RenewTime = DateTime.UtcNow;
            try
            {
                await leases.UpdateAsync(held);
                break;
            }
            catch (KubernetesApiException e) when (e.IsConflict)
            {
            }
        }

        var lost = await Assert.ThrowsAsync<LeaderElectionLostException>(() => run);
        Assert.Equal($"first lost the lease kube-system/{lease}", lost.Message);
        Assert.False(stop.IsCancellationRequested);
    }

    private TestOptions Options(string identity) => new()
    {
        Client = fx.Config(),
        Identity = identity,
        LeaseDuration = TimeSpan.FromSeconds(3),
        RenewDeadline = TimeSpan.FromSeconds(2),
        RetryPeriod = TimeSpan.FromMilliseconds(300),
    };

    private sealed record TestOptions : IControlPlaneComponentOptions
    {
        public required ClientConfig Client { get; init; }

        public bool LeaderElect { get; init; } = true;

        public string? Identity { get; init; }

        public TimeSpan LeaseDuration { get; init; }

        public TimeSpan RenewDeadline { get; init; }

        public TimeSpan RetryPeriod { get; init; }

        public ILoggerFactory? LoggerFactory { get; init; }

        public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
    }
}
