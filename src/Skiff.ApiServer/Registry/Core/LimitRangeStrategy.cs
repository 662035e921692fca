using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// core/v1 limitranges: PUT may create; no printer upstream (Name, Created At). Defaults as upstream's
/// <c>SetDefaults_LimitRangeItem</c>: a Container item's <c>default</c> takes <c>max</c> for what it leaves out, and
/// its <c>defaultRequest</c> takes <c>default</c>, then <c>min</c>.
/// </summary>
public sealed class LimitRangeStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static LimitRangeStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool AllowCreateOnUpdate => true;

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        foreach (var item in JsonPath.Objects(obj, "spec", "limits"))
        {
            if (JsonPath.Str(item, "type") != "Container")
            {
                continue;
            }

            Fill(item, "default", item["max"]);
            Fill(item, "defaultRequest", item["default"]);
            Fill(item, "defaultRequest", item["min"]);
        }
    }

    private static void Fill(JsonObject item, string field, JsonNode? from)
    {
        if (from is not JsonObject source || source.Count == 0)
        {
            return;
        }

        foreach (var (k, v) in source)
        {
            if (item[field] is not JsonObject target)
            {
                item[field] = target = [];
            }

            if (target[k] is null)
            {
                target[k] = v?.DeepClone();
            }
        }
    }
}
