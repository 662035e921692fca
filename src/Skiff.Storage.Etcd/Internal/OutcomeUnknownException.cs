namespace Skiff.Storage.Etcd.Internal;

/// <summary>
/// A write was sent but its answer was lost (the member died, the deadline passed, the leader changed): it may or may
/// not have been applied. The caller must find out by reading before it tries again.
/// </summary>
internal sealed class OutcomeUnknownException(string message, Exception inner) : Exception(message, inner);
