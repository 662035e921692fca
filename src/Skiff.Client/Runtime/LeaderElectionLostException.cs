namespace Skiff.Client.Runtime;

/// <summary>
/// A leader-elected component stopped because another process took its Lease over (upstream exits then). An
/// <see cref="InvalidOperationException"/>: the component cannot go on.
/// </summary>
public sealed class LeaderElectionLostException(string message) : InvalidOperationException(message);
