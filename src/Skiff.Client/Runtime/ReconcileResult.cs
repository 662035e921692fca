namespace Skiff.Client.Runtime;

/// <summary>
/// What a reconcile asks for next (controller-runtime <c>reconcile.Result</c>): nothing (<see cref="Done"/>), another
/// reconcile after <see cref="RequeueAfter"/> (the failure backoff is reset). controller-runtime's deprecated
/// <c>Requeue</c> flag has no counterpart: to retry after the rate limiter's backoff, throw.
/// </summary>
public sealed record ReconcileResult(TimeSpan? RequeueAfter = null)
{
    /// <summary>Reconciled; wait for the next change.</summary>
    public static ReconcileResult Done { get; } = new();

    /// <summary>Reconcile again after <paramref name="delay"/>.</summary>
    public static ReconcileResult After(TimeSpan delay) => new(delay);
}
