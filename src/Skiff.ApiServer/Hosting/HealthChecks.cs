namespace Skiff.ApiServer.Hosting;

/// <summary>
/// The checks behind <c>/livez</c> and <c>/readyz</c> (upstream's <c>healthz</c> package): each is named as upstream
/// names it and asked afresh on every request. <c>livez</c>: ping, etcd (storage answers its health check).
/// <c>readyz</c> adds informer-sync (every watch cache has loaded its initial list) and shutdown (fails once the server
/// began to stop, so load balancers drain it first).
/// </summary>
internal sealed class HealthChecks(IReadOnlyList<(string Name, Func<CancellationToken, Task<bool>> Check)> live,
    IReadOnlyList<(string Name, Func<CancellationToken, Task<bool>> Check)> readyOnly)
{
    /// <summary>The checks of <paramref name="kind"/> (<c>healthz</c> and <c>livez</c>: the live checks; <c>readyz</c>: all).</summary>
    public IReadOnlyList<(string Name, Func<CancellationToken, Task<bool>> Check)> For(string kind) =>
        kind == "readyz" ? [.. live, .. readyOnly] : live;
}
