namespace Skiff.Client.LeaderElection;

/// <summary>A lock's record as read from the server, with the version to write it back with (compare-and-swap).</summary>
public sealed record ObservedLock(LeaderElectionRecord Record, string ResourceVersion);
