namespace Skiff.Scheduler.Plugins.NodeResourcesFit;

/// <summary>Upstream's <c>ScoringStrategyType</c> of <c>NodeResourcesFitArgs</c>.</summary>
public enum ScoringStrategy
{
    LeastAllocated,
    MostAllocated,
    RequestedToCapacityRatio,
}
