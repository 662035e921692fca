namespace Skiff.Client.LeaderElection;

/// <summary>
/// The object leader election competes for (client-go <c>resourcelock.Interface</c>). Writes are compare-and-swap:
/// <see cref="UpdateAsync"/> fails with a conflict when the lock changed since it was read.
/// </summary>
public interface IResourceLock
{
    /// <summary>This candidate's identity.</summary>
    string Identity { get; }

    /// <summary>The lock's name for logs (namespace/name).</summary>
    string Description { get; }

    /// <summary>The current record, or null when the lock does not exist.</summary>
    Task<ObservedLock?> GetAsync(CancellationToken ct);

    /// <summary>Creates the lock holding <paramref name="record"/>; fails if it exists.</summary>
    Task<ObservedLock> CreateAsync(LeaderElectionRecord record, CancellationToken ct);

    /// <summary>Replaces the record, only if the lock is still at <paramref name="previous"/>'s version.</summary>
    Task<ObservedLock> UpdateAsync(ObservedLock previous, LeaderElectionRecord record, CancellationToken ct);
}
