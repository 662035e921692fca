using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// core/v1 events (<c>pkg/registry/core/event/strategy.go</c>): PUT may create, involvedObject is required,
/// upstream's event field selectors and printer (LAST SEEN from lastTimestamp, eventTime or the series).
/// </summary>
public sealed class EventStrategy : ResourceStrategy
{
    private static readonly Dictionary<string, Func<JsonObject, string?>> Fields = new()
    {
        ["involvedObject.kind"] = o => JsonPath.Str(o, "involvedObject", "kind") ?? "",
        ["involvedObject.namespace"] = o => JsonPath.Str(o, "involvedObject", "namespace") ?? "",
        ["involvedObject.name"] = o => JsonPath.Str(o, "involvedObject", "name") ?? "",
        ["involvedObject.uid"] = o => JsonPath.Str(o, "involvedObject", "uid") ?? "",
        ["involvedObject.apiVersion"] = o => JsonPath.Str(o, "involvedObject", "apiVersion") ?? "",
        ["involvedObject.resourceVersion"] = o => JsonPath.Str(o, "involvedObject", "resourceVersion") ?? "",
        ["involvedObject.fieldPath"] = o => JsonPath.Str(o, "involvedObject", "fieldPath") ?? "",
        ["reason"] = o => JsonPath.Str(o, "reason") ?? "",
        ["reportingComponent"] = o => JsonPath.Str(o, "reportingComponent") ?? "",
        ["source"] = o => JsonPath.Str(o, "source", "component") ?? "",
        ["type"] = o => JsonPath.Str(o, "type") ?? "",
    };

    /// <summary>The shared instance.</summary>
    public static EventStrategy Instance { get; } = new();

    /// <summary>Events take no part in garbage collection (upstream eventStrategy).</summary>
    public override GarbageCollectionPolicy DefaultGarbageCollectionPolicy => GarbageCollectionPolicy.Unsupported;

    /// <inheritdoc/>
    public override bool AllowCreateOnUpdate => true;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Func<JsonObject, string?>> SelectableFields => Fields;

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.S("Last Seen", "The time at which the most recent occurrence of this event was recorded."),
            Columns.S("Type", "Type of this event (Normal, Warning), new types could be added in the future"),
            Columns.S("Reason", "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
            Columns.S("Object", "The object that this event is about."),
            Columns.S("Subobject", "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2]. For example, if the object reference is to a container within a pod, this would take on a value like: \"spec.containers{name}\" (where \"name\" refers to the name of the container that triggered the event) or if no container name is specified \"spec.containers[2]\" (container with index 2 in this pod). This syntax is chosen only to have some well-defined way of referencing a part of an object.", 1),
            Columns.S("Source", "The component reporting this event. Should be a short machine understandable string.", 1),
            Columns.S("Message", "A human-readable description of the status of this operation."),
            Columns.S("First Seen", "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)", 1),
            Columns.S("Count", "The number of times this event has occurred.", 1),
            new TableColumn("Name", "string", "name", Columns.Name.Description, 1),
        ],
        Cells_);

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        if (obj["involvedObject"] is not JsonObject)
        {
            yield return FieldError.Required("involvedObject");
        }

        var ns = JsonPath.Namespace(obj);
        var involvedNs = JsonPath.Str(obj, "involvedObject", "namespace") ?? "";
        if (involvedNs.Length > 0 && ns.Length > 0 && involvedNs != ns)
        {
            yield return FieldError.Invalid("involvedObject.namespace", Rules.Q(involvedNs), "does not match event.namespace");
        }
    }

    /// <summary>The cells of a core/v1 event (also used for events.k8s.io/v1 after renaming its fields).</summary>
    public static IReadOnlyList<object?> Cells_(JsonObject o, DateTimeOffset now)
    {
        var first = JsonPath.Str(o, "firstTimestamp") is { Length: > 0 } ft
            ? HumanDuration.Since(ft, now)
            : HumanDuration.Since(JsonPath.Str(o, "eventTime"), now);
        var last = JsonPath.Str(o, "lastTimestamp") is { Length: > 0 } lt ? HumanDuration.Since(lt, now) : first;
        var count = JsonPath.Long(o, "count") ?? 0;
        if (o["series"] is JsonObject series)
        {
            last = HumanDuration.Since(JsonPath.Str(series, "lastObservedTime"), now);
            count = JsonPath.Long(series, "count") ?? 0;
        }
        else if (count == 0)
        {
            count = 1;
        }

        var kind = (JsonPath.Str(o, "involvedObject", "kind") ?? "").ToLowerInvariant();
        var name = JsonPath.Str(o, "involvedObject", "name") ?? "";
        var target = name.Length > 0 ? $"{kind}/{name}" : kind;
        var component = FirstNonEmpty(JsonPath.Str(o, "source", "component"), JsonPath.Str(o, "reportingComponent"));
        var instance = FirstNonEmpty(JsonPath.Str(o, "source", "host"), JsonPath.Str(o, "reportingInstance"));
        var source = instance.Length == 0 ? component : component + ", " + instance;
        return
        [
            last,
            JsonPath.Str(o, "type") ?? "",
            JsonPath.Str(o, "reason") ?? "",
            target,
            JsonPath.Str(o, "involvedObject", "fieldPath") ?? "",
            source,
            (JsonPath.Str(o, "message") ?? "").Trim(),
            first,
            count,
            JsonPath.Name(o),
        ];
    }

    private static string FirstNonEmpty(string? a, string? b) => !string.IsNullOrEmpty(a) ? a : b ?? "";
}
