namespace Skiff.Client.Runtime;

/// <summary>
/// What a reconcile asks for next (controller-runtime <c>reconcile.Result</c>): nothing (<see cref="Done"/>), another
/// reconcile after <see cref="RequeueAfter"/> (the failure backoff is reset), or — with <see cref="Requeue"/> — another
/// one after the rate limiter's backoff.
/// </summary>
public sealed record ReconcileResult(TimeSpan? RequeueAfter = null, bool Requeue = false)
{
    /// <summary>Reconciled; wait for the next change.</summary>
    public static ReconcileResult Done { get; } = new();

    /// <summary>Reconcile again after <paramref name="delay"/>.</summary>
    public static ReconcileResult After(TimeSpan delay) => new(delay);
}
