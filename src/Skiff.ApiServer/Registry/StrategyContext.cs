using Skiff.Storage;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// What the generic store hands to a strategy's asynchronous hooks (<see cref="IResourceStrategy.BeforeWriteAsync"/>,
/// <see cref="IResourceStrategy.AfterDeleteAsync"/>): the store the objects live in (so a strategy can keep side
/// state such as IP and port allocations under <c>/registry/ranges/…</c>) and whether the request is a dry run.
/// </summary>
/// <param name="Storage">The store; side state written through it must use compare-and-swap (GuaranteedUpdateAsync).</param>
/// <param name="DryRun">True for <c>dryRun=All</c>: check as a real write would, but change nothing.</param>
public sealed record StrategyContext(IStorage Storage, bool DryRun = false);
