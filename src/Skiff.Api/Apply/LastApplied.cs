using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Patch;

namespace Skiff.Api.Apply;

/// <summary>
/// The client-side apply → server-side apply upgrade of upstream's field manager (<c>lastAppliedManager</c> and
/// <c>lastAppliedUpdater</c> in <c>apimachinery/pkg/util/managedfields/internal</c>), both only for the manager
/// <c>kubectl</c> (the default of <c>kubectl apply --server-side</c>; any other manager opts out):
/// <list type="bullet">
/// <item>An apply that conflicts only on fields the live object's <c>kubectl.kubernetes.io/last-applied-configuration</c>
/// annotation sets, to the values the live object still has, is forced (the client-side apply manager hands them over)
/// instead of answering 409. The annotation must name the same apiVersion as the apply.</item>
/// <item>After a successful apply, an object that carries the annotation gets it rewritten to the applied
/// configuration (without the annotation itself), so a later client-side <c>kubectl apply</c> diffs against what was
/// applied last; dropped when the annotations would exceed upstream's 256 KiB total.</item>
/// </list>
/// kubectl then moves the <c>kubectl-client-side-apply</c> manager's fields to its own apply entry itself
/// (<c>csaupgrade</c>, a JSON patch of <c>metadata.managedFields</c>), which the store honours for any update that sets
/// non-empty managedFields.
/// </summary>
internal static class LastApplied
{
    /// <summary>The annotation client-side apply keeps its last configuration in.</summary>
    public const string Annotation = "kubectl.kubernetes.io/last-applied-configuration";

    /// <summary>The only manager the upgrade applies to.</summary>
    public const string UpgradingManager = "kubectl";

    private const int TotalAnnotationSizeLimit = 256 * 1024;

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// The fields a conflict may be overridden on: those of the last-applied configuration whose values the live
    /// object still has (neither modified, added below, nor removed since). Null when there is no usable annotation.
    /// </summary>
    public static FieldSet? AllowedConflicts(JsonObject live, string apiVersion, IPatchSchema? schema)
    {
        if (Value(live) is not { Length: > 0 } text)
        {
            return null;
        }

        JsonObject? last;
        try
        {
            last = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }

        if (last is null || Internal.JsonUtil.GetString(last["apiVersion"]) != apiVersion)
        {
            return null;
        }

        var lastSet = ObjectFields.ToFieldSet(last, schema);
        var changed = new FieldSet();
        var removed = new FieldSet();
        var liveWithoutManaged = (JsonObject)live.DeepClone();
        (liveWithoutManaged["metadata"] as JsonObject)?.Remove("managedFields");
        ObjectFields.Compare(last, liveWithoutManaged, schema, changed, removed);
        return lastSet.Difference(changed).Difference(removed);
    }

    /// <summary>Rewrites the annotation of <paramref name="result"/> (when it has one) to <paramref name="applied"/>.</summary>
    public static void Update(JsonObject result, JsonObject applied)
    {
        if (Value(result) is not { Length: > 0 })
        {
            return;
        }

        var config = (JsonObject)applied.DeepClone();
        ((config["metadata"] as JsonObject)?["annotations"] as JsonObject)?.Remove(Annotation);
        var annotations = (JsonObject)result["metadata"]!["annotations"]!;
        annotations[Annotation] = Encode(config);
        var size = annotations.Sum(a => a.Key.Length + (Internal.JsonUtil.GetString(a.Value)?.Length ?? 0));
        if (size > TotalAnnotationSizeLimit)
        {
            annotations.Remove(Annotation);
        }
    }

    private static string? Value(JsonObject obj) =>
        Internal.JsonUtil.GetString(((obj["metadata"] as JsonObject)?["annotations"] as JsonObject)?[Annotation]);

    /// <summary>Go's encoding of an unstructured object: keys sorted, HTML characters escaped, a trailing newline.</summary>
    private static string Encode(JsonObject config) =>
        Sorted(config)!.ToJsonString(Relaxed)
            .Replace("<", "\\u003c", StringComparison.Ordinal)
            .Replace(">", "\\u003e", StringComparison.Ordinal)
            .Replace("&", "\\u0026", StringComparison.Ordinal) + "\n";

    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Sorted).ToArray()),
        _ => node?.DeepClone(),
    };
}
