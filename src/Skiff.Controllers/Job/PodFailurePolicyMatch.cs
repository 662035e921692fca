using System.Globalization;
using k8s.Models;

namespace Skiff.Controllers.Job;

/// <summary>
/// Upstream's <c>matchPodFailurePolicy</c> (<c>pod_failure_policy.go</c>): the first rule of a Job's podFailurePolicy a
/// failed pod matches, by <c>onExitCodes</c> (a terminated container, app containers before init containers, exit code
/// not 0, In/NotIn, optionally one container by name) or <c>onPodConditions</c> (type and status).
/// </summary>
/// <param name="FailJobMessage">Set when a FailJob rule matched: why the Job fails.</param>
/// <param name="CountFailed">Whether the failure counts towards backoffLimit (false only for Ignore).</param>
/// <param name="Action">The matched rule's action; null when no rule matched (the failure counts).</param>
internal sealed record PodFailurePolicyMatch(string? FailJobMessage, bool CountFailed, string? Action)
{
    public const string FailJob = "FailJob";
    public const string FailIndex = "FailIndex";
    public const string Ignore = "Ignore";
    public const string Count = "Count";

    private static readonly PodFailurePolicyMatch NoMatch = new(null, true, null);

    /// <summary>Matches <paramref name="pod"/> against <paramref name="policy"/> (no policy: counts, no action).</summary>
    public static PodFailurePolicyMatch Match(V1PodFailurePolicy? policy, V1Pod pod)
    {
        if (policy?.Rules is not { } rules)
        {
            return NoMatch;
        }

        for (var index = 0; index < rules.Count; index++)
        {
            var rule = rules[index];
            if (rule.OnExitCodes is { } onExitCodes)
            {
                if (MatchExitCodes(pod.Status, onExitCodes) is { } container && Act(rule.Action, () =>
                        string.Create(CultureInfo.InvariantCulture, $"Container {container.Name} for pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} failed with exit code {container.State.Terminated.ExitCode} matching {rule.Action} rule at index {index}")) is { } m)
                {
                    return m;
                }
            }
            else if (rule.OnPodConditions is { } patterns)
            {
                if (MatchConditions(pod.Status, patterns) is { } condition && Act(rule.Action, () =>
                        string.Create(CultureInfo.InvariantCulture, $"Pod {pod.Metadata.NamespaceProperty}/{pod.Metadata.Name} has condition {condition.Type} matching {rule.Action} rule at index {index}")) is { } m)
                {
                    return m;
                }
            }
        }

        return NoMatch;
    }

    // An unknown action matches nothing (upstream falls through to the next rule).
    private static PodFailurePolicyMatch? Act(string action, Func<string> failJobMessage) => action switch
    {
        Ignore => new PodFailurePolicyMatch(null, false, Ignore),
        FailIndex => new PodFailurePolicyMatch(null, true, FailIndex),
        Count => new PodFailurePolicyMatch(null, true, Count),
        FailJob => new PodFailurePolicyMatch(failJobMessage(), true, FailJob),
        _ => null,
    };

    private static V1ContainerStatus? MatchExitCodes(V1PodStatus? status, V1PodFailurePolicyOnExitCodesRequirement requirement) =>
        FirstMatching(status?.ContainerStatuses, requirement) ?? FirstMatching(status?.InitContainerStatuses, requirement);

    private static V1ContainerStatus? FirstMatching(IList<V1ContainerStatus>? statuses, V1PodFailurePolicyOnExitCodesRequirement requirement)
    {
        foreach (var s in statuses ?? [])
        {
            if (s.State?.Terminated is not { } terminated)
            {
                continue;
            }

            if ((requirement.ContainerName is null || requirement.ContainerName == s.Name) && terminated.ExitCode != 0)
            {
                var listed = requirement.Values?.Contains(terminated.ExitCode) == true;
                if (requirement.OperatorProperty switch { "In" => listed, "NotIn" => !listed, _ => false })
                {
                    return s;
                }
            }
        }

        return null;
    }

    private static V1PodCondition? MatchConditions(V1PodStatus? status, IList<V1PodFailurePolicyOnPodConditionsPattern> patterns)
    {
        foreach (var c in status?.Conditions ?? [])
        {
            if (patterns.Any(p => p.Type == c.Type && p.Status == c.Status))
            {
                return c;
            }
        }

        return null;
    }
}
