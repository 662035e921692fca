namespace Skiff.Client.LeaderElection;

/// <summary>
/// What a lock stores about the current leader (client-go <c>resourcelock.LeaderElectionRecord</c>). An empty
/// <see cref="HolderIdentity"/> means the lock was released.
/// </summary>
public sealed record LeaderElectionRecord(
    string HolderIdentity,
    int LeaseDurationSeconds,
    DateTime? AcquireTime,
    DateTime? RenewTime,
    int LeaderTransitions);
