using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Apps;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Batch;

/// <summary>
/// batch/v1 jobs (<c>pkg/registry/batch/job/strategy.go</c>, <c>pkg/apis/batch/v1/defaults.go</c>): completions
/// and parallelism 1, backoffLimit 6, completionMode NonIndexed, suspend false, manualSelector false,
/// podReplacementPolicy TerminatingOrFailed; unless manualSelector, the selector is generated from the uid and the
/// controller-uid / job-name labels are added to the template; restartPolicy must be OnFailure or Never; selector,
/// template and completions are immutable; field selector <c>status.successful</c>.
/// </summary>
public sealed class JobStrategy : ResourceStrategy
{
    /// <summary>The label carrying the job's uid.</summary>
    public const string ControllerUidLabel = "batch.kubernetes.io/controller-uid";

    /// <summary>The label carrying the job's name.</summary>
    public const string JobNameLabel = "batch.kubernetes.io/job-name";

    private static readonly Dictionary<string, Func<JsonObject, string?>> Fields = new()
    {
        ["status.successful"] = o => (JsonPath.Long(o, "status", "succeeded") ?? 0).ToString(),
    };

    /// <summary>The shared instance.</summary>
    public static JobStrategy Instance { get; } = new();

    /// <summary>batch/v1 orphans by default, for backwards compatibility (upstream jobStrategy).</summary>
    public override GarbageCollectionPolicy DefaultGarbageCollectionPolicy => GarbageCollectionPolicy.OrphanDependents;

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Func<JsonObject, string?>> SelectableFields => Fields;

    /// <inheritdoc/>
    public override void PrepareForCreate(JsonObject obj)
    {
        obj["status"] = new JsonObject();
        var spec = JsonPath.Ensure(obj, "spec");
        if (JsonPath.Bool(spec, "manualSelector") == true)
        {
            return;
        }

        var uid = JsonPath.Str(obj, "metadata", "uid") ?? "";
        var name = JsonPath.Name(obj);
        var labels = JsonPath.Ensure(JsonPath.Ensure(spec, "template"), "metadata", "labels");
        labels["controller-uid"] = uid;
        labels["job-name"] = name;
        labels[ControllerUidLabel] = uid;
        labels[JobNameLabel] = name;
        if (JsonPath.Obj(spec, "selector") is null)
        {
            spec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { [ControllerUidLabel] = uid } };
        }
    }

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonPath.Ensure(obj, "spec");
        if (spec["completions"] is null && spec["parallelism"] is null)
        {
            spec["completions"] = 1;
            spec["parallelism"] = 1;
        }

        JsonPath.Default(spec, "parallelism", 1);
        JsonPath.Default(spec, "backoffLimit", spec["backoffLimitPerIndex"] is null ? 6 : int.MaxValue);
        JsonPath.DefaultString(spec, "completionMode", "NonIndexed");
        JsonPath.Default(spec, "suspend", false);
        JsonPath.Default(spec, "manualSelector", false);
        JsonPath.DefaultString(spec, "podReplacementPolicy", spec["podFailurePolicy"] is null ? "TerminatingOrFailed" : "Failed");
        if (JsonPath.Obj(obj, "metadata") is { } meta && JsonPath.Obj(meta, "labels") is null or { Count: 0 } &&
            JsonPath.Obj(spec, "template", "metadata", "labels") is { Count: > 0 } tl)
        {
            meta["labels"] = tl.DeepClone();
        }

        WorkloadRules.TemplateDefaults(spec);
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var spec = JsonPath.Obj(obj, "spec");
        foreach (var key in (string[])["parallelism", "completions", "backoffLimit", "activeDeadlineSeconds"])
        {
            if (JsonPath.Long(spec, key) is < 0 and var v)
            {
                yield return FieldError.Invalid("spec." + key, v.ToString(), "must be greater than or equal to 0");
            }
        }

        foreach (var e in WorkloadRules.SelectorAndTemplate(spec, "spec", "job"))
        {
            yield return e;
        }

        if (JsonPath.Str(spec, "template", "spec", "restartPolicy") is { } rp && rp is not ("OnFailure" or "Never"))
        {
            yield return FieldError.NotSupported("spec.template.spec.restartPolicy", Rules.Q(rp), ["OnFailure", "Never"]);
        }

        if (JsonPath.Str(spec, "completionMode") is { } mode && mode is not ("NonIndexed" or "Indexed"))
        {
            yield return FieldError.NotSupported("spec.completionMode", Rules.Q(mode), ["NonIndexed", "Indexed"]);
        }

        if (JsonPath.Str(spec, "completionMode") == "Indexed" && spec?["completions"] is null)
        {
            yield return FieldError.Required("spec.completions", "when completion mode is Indexed");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj)
    {
        foreach (var e in ValidateCreate(newObj))
        {
            yield return e;
        }

        foreach (var e in WorkloadRules.ImmutableSelector(newObj, oldObj))
        {
            yield return e;
        }

        var newTemplate = Core.PodStrategy.Normalize(JsonPath.Get(newObj, "spec", "template"));
        var oldTemplate = Core.PodStrategy.Normalize(JsonPath.Get(oldObj, "spec", "template"));
        var suspendedNeverStarted = JsonPath.Bool(oldObj, "spec", "suspend") == true && JsonPath.Get(oldObj, "status", "startTime") is null;
        if (!suspendedNeverStarted && !JsonNode.DeepEquals(newTemplate, oldTemplate))
        {
            yield return FieldError.Invalid("spec.template", "core.PodTemplateSpec{...}", "field is immutable");
        }

        var indexed = JsonPath.Str(newObj, "spec", "completionMode") == "Indexed";
        if (!indexed)
        {
            foreach (var e in Immutable(JsonPath.Get(newObj, "spec", "completions"), JsonPath.Get(oldObj, "spec", "completions"), "spec.completions"))
            {
                yield return e;
            }
        }

        foreach (var e in Immutable(JsonPath.Get(newObj, "spec", "completionMode"), JsonPath.Get(oldObj, "spec", "completionMode"), "spec.completionMode"))
        {
            yield return e;
        }
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Status", "Status of the job."),
            Columns.S("Completions", "The number of pods which reached phase Succeeded. The value increases monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs."),
            Columns.S("Duration", "Time required to complete the job."),
            Columns.Age,
            Columns.Containers,
            Columns.Images,
            Columns.S("Selector", "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
        ],
        Cells_);

    private static IReadOnlyList<object?> Cells_(JsonObject o, DateTimeOffset now)
    {
        var succeeded = Cells.Int(o, "status", "succeeded");
        string completions;
        if (JsonPath.Long(o, "spec", "completions") is { } c)
        {
            completions = $"{succeeded}/{c}";
        }
        else
        {
            var parallelism = JsonPath.Long(o, "spec", "parallelism") ?? 0;
            completions = parallelism > 1 ? $"{succeeded}/1 of {parallelism}" : $"{succeeded}/1";
        }

        var start = HumanDuration.Parse(JsonPath.Str(o, "status", "startTime"));
        var end = HumanDuration.Parse(JsonPath.Str(o, "status", "completionTime"));
        var duration = start is null ? "" : HumanDuration.Format((end ?? now) - start.Value);
        string status;
        if (HasCondition(o, "Complete"))
        {
            status = "Complete";
        }
        else if (HasCondition(o, "Failed"))
        {
            status = "Failed";
        }
        else if (JsonPath.Str(o, "metadata", "deletionTimestamp") is { Length: > 0 })
        {
            status = "Terminating";
        }
        else if (HasCondition(o, "Suspended"))
        {
            status = "Suspended";
        }
        else if (HasCondition(o, "FailureTarget"))
        {
            status = "FailureTarget";
        }
        else
        {
            status = "Running";
        }

        var (names, images) = Cells.Containers(JsonPath.Get(o, "spec", "template", "spec", "containers"));
        return [JsonPath.Name(o), status, completions, duration, Cells.Age(o, now), names, images, Cells.Selector(JsonPath.Get(o, "spec", "selector"))];
    }

    private static bool HasCondition(JsonObject o, string type)
    {
        var cond = JsonPath.Objects(o, "status", "conditions").FirstOrDefault(c => JsonPath.Str(c, "type") == type);
        return cond is not null && JsonPath.Str(cond, "status") == "True";
    }
}
