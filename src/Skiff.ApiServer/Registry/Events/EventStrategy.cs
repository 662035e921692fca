using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry.Events;

/// <summary>
/// events.k8s.io/v1 events: PUT may create; eventTime, reportingController, reportingInstance and action are
/// required as upstream requires them for this version; regarding-based printer. (Upstream stores these with
/// core/v1 events; here they are a separate resource until the store can convert between the two shapes.)
/// </summary>
public sealed class EventStrategy : ResourceStrategy
{
    /// <summary>The shared instance.</summary>
    public static EventStrategy Instance { get; } = new();

    /// <summary>Events take no part in garbage collection (upstream eventStrategy).</summary>
    public override GarbageCollectionPolicy DefaultGarbageCollectionPolicy => GarbageCollectionPolicy.Unsupported;

    /// <inheritdoc/>
    public override bool AllowCreateOnUpdate => true;

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        if (JsonPath.Str(obj, "eventTime") is null or "")
        {
            yield return FieldError.Required("eventTime");
        }

        foreach (var key in (string[])["reportingController", "reportingInstance", "action", "reason"])
        {
            if (JsonPath.Str(obj, key) is null or "")
            {
                yield return FieldError.Required(key);
            }
        }

        if (JsonPath.Str(obj, "type") is { } type && type is not ("Normal" or "Warning"))
        {
            yield return FieldError.Invalid("type", Rules.Q(type), "has invalid value: " + type);
        }
    }

    /// <summary>
    /// Upstream prints both event versions through the internal type, so the columns are core/v1's; the cells are
    /// computed after renaming the events.k8s.io/v1 fields to their core/v1 names.
    /// </summary>
    public override TableDefinition Table { get; } = new(Core.EventStrategy.Instance.Table.Columns, (o, now) => Core.EventStrategy.Cells_(ToCore(o), now));

    /// <summary>The core/v1 shape of an events.k8s.io/v1 event (the fields the printer reads).</summary>
    public static JsonObject ToCore(JsonObject o)
    {
        var core = new JsonObject { ["metadata"] = o["metadata"]?.DeepClone() };
        foreach (var (from, to) in Renames)
        {
            if (o[from] is { } v)
            {
                core[to] = v.DeepClone();
            }
        }

        return core;
    }

    private static readonly (string From, string To)[] Renames =
    [
        ("regarding", "involvedObject"), ("related", "related"), ("note", "message"), ("deprecatedSource", "source"),
        ("deprecatedFirstTimestamp", "firstTimestamp"), ("deprecatedLastTimestamp", "lastTimestamp"), ("deprecatedCount", "count"),
        ("reportingController", "reportingComponent"), ("reportingInstance", "reportingInstance"), ("eventTime", "eventTime"),
        ("series", "series"), ("action", "action"), ("reason", "reason"), ("type", "type"),
    ];
}
