using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

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

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.S("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
            Columns.S("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
            Columns.S("Reason", "reason is why the action was taken. It is human-readable. This field cannot be empty for new Events and it can have at most 128 characters."),
            Columns.S("Object", "The object that this event is about."),
            Columns.S("Message", "note is a human-readable description of the status of this operation. Maximal length of the note is 1kB, but libraries should be prepared to handle values up to 64kB."),
        ],
        (o, now) =>
        {
            var last = o["series"] is JsonObject s ? HumanDuration.Since(JsonPath.Str(s, "lastObservedTime"), now)
                : JsonPath.Str(o, "deprecatedLastTimestamp") is { Length: > 0 } dl ? HumanDuration.Since(dl, now)
                : HumanDuration.Since(JsonPath.Str(o, "eventTime"), now);
            var kind = (JsonPath.Str(o, "regarding", "kind") ?? "").ToLowerInvariant();
            var name = JsonPath.Str(o, "regarding", "name") ?? "";
            return [last, JsonPath.Str(o, "type") ?? "", JsonPath.Str(o, "reason") ?? "", name.Length > 0 ? $"{kind}/{name}" : kind, (JsonPath.Str(o, "note") ?? "").Trim()];
        });
}
