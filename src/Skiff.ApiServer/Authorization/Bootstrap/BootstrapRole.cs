namespace Skiff.ApiServer.Authorization.Bootstrap;

/// <summary>A role of the bootstrap policy: name, namespace (empty for a ClusterRole), rules, extra labels and, for aggregated roles, the label selectors.</summary>
/// <param name="Name">The role's name.</param>
/// <param name="Namespace">The Role's namespace; empty for a ClusterRole.</param>
/// <param name="Rules">The rules (empty for an aggregated role).</param>
/// <param name="Labels">Labels besides <c>kubernetes.io/bootstrapping: rbac-defaults</c> (aggregation labels).</param>
/// <param name="AggregateFrom">For an aggregated ClusterRole, the <c>matchLabels</c> selectors of its aggregationRule; null otherwise.</param>
public sealed record BootstrapRole(
    string Name,
    string Namespace,
    IReadOnlyList<PolicyRule> Rules,
    IReadOnlyDictionary<string, string>? Labels = null,
    IReadOnlyList<IReadOnlyDictionary<string, string>>? AggregateFrom = null);
