namespace Skiff.ApiServer.Registry;

/// <summary>
/// The outcome of <see cref="IResourceStrategy.BeforeWriteAsync"/>: what to do once the object write has committed
/// (e.g. release the ports a service no longer uses) and what to do if it failed (give back what was reserved).
/// The generic store calls exactly one of the two, once.
/// </summary>
/// <param name="OnCommitted">Runs after the write committed; may be null.</param>
/// <param name="OnFailed">Runs when the write did not happen (conflict, already exists, storage error); may be null.</param>
public sealed record WriteHook(Func<CancellationToken, ValueTask>? OnCommitted, Func<CancellationToken, ValueTask>? OnFailed)
{
    /// <summary>Calls <see cref="OnCommitted"/> when set.</summary>
    public ValueTask CommitAsync(CancellationToken ct) => OnCommitted?.Invoke(ct) ?? ValueTask.CompletedTask;

    /// <summary>Calls <see cref="OnFailed"/> when set.</summary>
    public ValueTask RevertAsync(CancellationToken ct) => OnFailed?.Invoke(ct) ?? ValueTask.CompletedTask;
}
