using k8s.Models;

namespace Skiff.Proxy.NetworkPolicy;

/// <summary>
/// What the rule compiler reads: every NetworkPolicy, every pod policies see (<see cref="PolicyPod.From"/>; local or
/// not) and every namespace's labels (for <c>namespaceSelector</c>).
/// </summary>
public sealed record PolicyInput(
    IReadOnlyList<V1NetworkPolicy> Policies,
    IReadOnlyList<PolicyPod> Pods,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> NamespaceLabels);
