namespace Skiff.Controllers.Hosting;

/// <summary>The controller manager stopped because another process took its Lease over (upstream exits then).</summary>
public sealed class LeaderElectionLostException(string message) : Exception(message);
