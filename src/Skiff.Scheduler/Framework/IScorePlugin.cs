using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>
/// Scores a feasible node 0..<see cref="MaxNodeScore"/> (upstream <c>ScorePlugin</c>); <see cref="NormalizeScore"/>
/// (upstream <c>ScoreExtensions</c>) may rescale all scores of one cycle before the profile's weight applies.
/// </summary>
public interface IScorePlugin : IPlugin
{
    /// <summary>Upstream's <c>MaxNodeScore</c>.</summary>
    const long MaxNodeScore = 100;

    long Score(CycleState state, V1Pod pod, NodeInfo node);

    /// <summary>Rescales <paramref name="scores"/> (one per feasible node) in place; the default leaves them.</summary>
    void NormalizeScore(CycleState state, V1Pod pod, long[] scores)
    {
    }
}
