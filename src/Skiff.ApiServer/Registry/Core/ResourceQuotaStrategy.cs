using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>core/v1 resourcequotas: status through <c>/status</c>; the printer's REQUEST and LIMIT columns list used/hard per resource.</summary>
public sealed class ResourceQuotaStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static ResourceQuotaStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Request", "Request represents a minimum amount of cpu/memory that a container may consume."),
            Columns.S("Limit", "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node."),
            Columns.Age,
        ],
        (o, now) =>
        {
            var hard = JsonPath.Obj(o, "status", "hard");
            var used = JsonPath.Obj(o, "status", "used");
            var request = new List<string>();
            var limit = new List<string>();
            foreach (var resource in (hard ?? []).Select(p => p.Key).Order(StringComparer.Ordinal))
            {
                var text = $"{resource}: {PersistentVolumeStrategy.Quantity(used?[resource])}/{PersistentVolumeStrategy.Quantity(hard![resource])}";
                var pieces = resource.Split('.');
                (pieces.Length > 1 && pieces[0] == "limits" ? limit : request).Add(text);
            }

            return [JsonPath.Name(o), string.Join(", ", request), string.Join(", ", limit), Cells.Age(o, now)];
        });
}
