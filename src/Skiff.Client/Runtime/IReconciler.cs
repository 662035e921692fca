namespace Skiff.Client.Runtime;

/// <summary>
/// Drives one object toward its desired state (controller-runtime <c>reconcile.Reconciler</c>). Called with the
/// object's key only — read the current state from a lister or the API. Must be idempotent: it may be called any number
/// of times for the same state. Never called concurrently for the same request. An exception requeues the request
/// with backoff, except <see cref="TerminalReconcileException"/>, which drops it until the next change.
/// </summary>
public interface IReconciler
{
    Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct);
}
