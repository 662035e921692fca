namespace Skiff.Client.Runtime;

/// <summary>
/// Something a <see cref="Manager"/> runs (controller-runtime <c>manager.Runnable</c> plus
/// <c>LeaderElectionRunnable</c>): a controller, a scheduler loop, a lease heartbeat. <see cref="RunAsync"/> runs until
/// the token is cancelled and then returns after it has stopped its own work; an exception from it stops the manager.
/// </summary>
public interface IRunnable
{
    /// <summary>
    /// Whether this runs only while the manager holds its Lease (default true). A runnable that answers false starts as
    /// soon as the caches have synced, leader or not.
    /// </summary>
    bool NeedsLeaderElection => true;

    /// <summary>Runs until <paramref name="ct"/> is cancelled.</summary>
    Task RunAsync(CancellationToken ct);
}
