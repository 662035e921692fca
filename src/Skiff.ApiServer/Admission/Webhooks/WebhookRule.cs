using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Webhooks;

/// <summary>
/// One <c>rules[]</c> entry of an admission webhook (upstream's <c>RuleWithOperations</c> and <c>rules.Matcher</c>):
/// operations, apiGroups, apiVersions (each <c>*</c> or exact), resources (<c>pods</c>, <c>pods/status</c>,
/// <c>pods/*</c>, <c>*</c> = every resource without subresource, <c>*/*</c> = everything, <c>*/status</c>) and scope
/// (<c>Cluster</c> matches cluster-scoped requests and namespace objects, <c>Namespaced</c> namespaced ones, <c>*</c> both).
/// </summary>
/// <param name="Operations">CREATE, UPDATE, DELETE, CONNECT or <c>*</c>.</param>
/// <param name="Groups">API groups.</param>
/// <param name="Versions">API versions.</param>
/// <param name="Resources">Resources, with optional <c>/subresource</c>.</param>
/// <param name="Scope"><c>*</c>, <c>Cluster</c> or <c>Namespaced</c>.</param>
public sealed record WebhookRule(IReadOnlyList<string> Operations, IReadOnlyList<string> Groups, IReadOnlyList<string> Versions,
    IReadOnlyList<string> Resources, string Scope)
{
    /// <summary>Reads one rule.</summary>
    public static WebhookRule FromJson(JsonObject rule) => new(
        Strings(rule, "operations"), Strings(rule, "apiGroups"), Strings(rule, "apiVersions"), Strings(rule, "resources"),
        JsonPath.Str(rule, "scope") ?? "*");

    /// <summary>Whether the rule matches a request.</summary>
    /// <param name="operation">The request's operation.</param>
    /// <param name="group">The resource's group.</param>
    /// <param name="version">The resource's version.</param>
    /// <param name="resource">The resource.</param>
    /// <param name="subresource">The subresource ("" for none).</param>
    /// <param name="ns">The request's namespace ("" for cluster-scoped requests).</param>
    public bool Matches(AdmissionOperation operation, string group, string version, string resource, string subresource, string ns)
    {
        var isNamespaceObject = group.Length == 0 && resource == "namespaces";
        var scopeOk = Scope switch
        {
            "Cluster" => isNamespaceObject || ns.Length == 0,
            "Namespaced" => !isNamespaceObject && ns.Length > 0,
            _ => true,
        };
        return scopeOk
            && Operations.Any(o => o == "*" || o == OperationName(operation))
            && Groups.Any(g => g == "*" || g == group)
            && Versions.Any(v => v == "*" || v == version)
            && Resources.Any(r => ResourceMatches(r, resource, subresource));
    }

    /// <summary>The operation as the API spells it (CREATE…).</summary>
    public static string OperationName(AdmissionOperation operation) => operation switch
    {
        AdmissionOperation.Create => "CREATE",
        AdmissionOperation.Update => "UPDATE",
        AdmissionOperation.Delete => "DELETE",
        _ => "CONNECT",
    };

    private static bool ResourceMatches(string rule, string resource, string subresource)
    {
        var slash = rule.IndexOf('/', StringComparison.Ordinal);
        var (res, sub) = slash < 0 ? (rule, "") : (rule[..slash], rule[(slash + 1)..]);
        return (res == "*" || res == resource) && (sub == "*" || sub == subresource);
    }

    private static List<string> Strings(JsonObject obj, string key) =>
        JsonPath.Arr(obj, key)?.Select(n => JsonPath.AsString(n) ?? "").ToList() ?? [];
}
