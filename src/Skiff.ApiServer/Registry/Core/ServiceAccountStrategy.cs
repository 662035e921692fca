using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>core/v1 serviceaccounts: no defaults; the printer shows the number of secrets.</summary>
public sealed class ServiceAccountStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static ServiceAccountStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [Columns.Name, Columns.S("Secrets", "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret"), Columns.Age],
        (o, now) => [JsonPath.Name(o), (long)(JsonPath.Arr(o, "secrets")?.Count ?? 0), Cells.Age(o, now)]);
}
