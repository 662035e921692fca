using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Apps;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Batch;

/// <summary>
/// batch/v1 cronjobs: concurrencyPolicy Allow, suspend false, history limits 3 and 1, pod-template defaults;
/// names at most 52 characters; schedule required (five fields or a macro); generation tracks the spec.
/// </summary>
public sealed class CronJobStrategy : ResourceStrategy
{
    private static readonly string[] Policies = ["Allow", "Forbid", "Replace"];

    /// <summary>The shared instance.</summary>
    public static CronJobStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <inheritdoc/>
    public override IReadOnlyList<string> ValidateName(string name, bool prefix)
    {
        var errs = Rules.CheckName(Rules.Dns1123Subdomain, name, prefix).ToList();
        if (!prefix && name.Length > 52)
        {
            errs.Add("must be no more than 52 characters");
        }

        return errs;
    }

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        var spec = JsonPath.Ensure(obj, "spec");
        JsonPath.DefaultString(spec, "concurrencyPolicy", "Allow");
        JsonPath.Default(spec, "suspend", false);
        JsonPath.Default(spec, "successfulJobsHistoryLimit", 3);
        JsonPath.Default(spec, "failedJobsHistoryLimit", 1);
        if (JsonPath.Obj(spec, "jobTemplate", "spec") is { } jobSpec)
        {
            WorkloadRules.TemplateDefaults(jobSpec);
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var spec = JsonPath.Obj(obj, "spec");
        var schedule = JsonPath.Str(spec, "schedule") ?? "";
        if (schedule.Length == 0)
        {
            yield return FieldError.Required("spec.schedule");
        }
        else
        {
            foreach (var e in ValidateSchedule(schedule))
            {
                yield return e;
            }
        }

        if (spec?["timeZone"] is { } tzNode && ValidateTimeZone(tzNode.GetValue<string>()) is { } tzError)
        {
            yield return FieldError.Invalid("spec.timeZone", Rules.Q(tzNode.GetValue<string>()), tzError);
        }

        if (JsonPath.Str(spec, "concurrencyPolicy") is { } cp && !Policies.Contains(cp))
        {
            yield return FieldError.NotSupported("spec.concurrencyPolicy", Rules.Q(cp), Policies);
        }

        foreach (var key in (string[])["successfulJobsHistoryLimit", "failedJobsHistoryLimit", "startingDeadlineSeconds"])
        {
            if (JsonPath.Long(spec, key) is < 0 and var v)
            {
                yield return FieldError.Invalid("spec." + key, v.ToString(), "must be greater than or equal to 0");
            }
        }

        var jobSpec = JsonPath.Obj(spec, "jobTemplate", "spec");
        if (JsonPath.Obj(jobSpec, "template") is not { } template)
        {
            yield return FieldError.Required("spec.jobTemplate.spec.template");
            yield break;
        }

        foreach (var e in Core.PodSpecRules.Validate(template["spec"], "spec.jobTemplate.spec.template.spec", isPod: false))
        {
            yield return e;
        }

        if (JsonPath.Str(template, "spec", "restartPolicy") is { } rp && rp is not ("OnFailure" or "Never"))
        {
            yield return FieldError.NotSupported("spec.jobTemplate.spec.template.spec.restartPolicy", Rules.Q(rp), ["OnFailure", "Never"]);
        }
    }

    /// <summary>
    /// Upstream's <c>validateScheduleFormat</c> on create: the schedule must parse (Cronos, five standard fields or a
    /// macro), and <c>TZ=</c>/<c>CRON_TZ=</c> prefixes are refused in favour of <c>spec.timeZone</c>.
    /// </summary>
    private static IEnumerable<FieldError> ValidateSchedule(string schedule)
    {
        if (schedule.Contains("TZ", StringComparison.Ordinal))
        {
            yield return FieldError.Invalid("spec.schedule", Rules.Q(schedule), "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
            yield break;
        }

        string? error = null;
        try
        {
            Cronos.CronExpression.Parse(schedule.Trim(), Cronos.CronFormat.Standard);
        }
        catch (Cronos.CronFormatException e)
        {
            var n = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            error = !schedule.StartsWith('@') && n != 5 ? $"expected exactly 5 fields, found {n}: {schedule}" : e.Message;
        }

        if (error is not null)
        {
            yield return FieldError.Invalid("spec.schedule", Rules.Q(schedule), error);
        }
    }

    /// <summary>Upstream's <c>validateTimeZone</c>: null for a known IANA name, else the message.</summary>
    private static string? ValidateTimeZone(string tz)
    {
        if (tz.Length == 0)
        {
            return "timeZone must be nil or non-empty string";
        }

        if (string.Equals(tz, "Local", StringComparison.OrdinalIgnoreCase))
        {
            return "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones";
        }

        foreach (var part in tz.Split('/'))
        {
            if (part is "." or ".." || part.StartsWith('-') || !part.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '+'))
            {
                return $"unknown time zone {tz}";
            }
        }

        try
        {
            TimeZoneInfo.FindSystemTimeZoneById(tz);
            return null;
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return $"unknown time zone {tz}";
        }
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
            Columns.S("Timezone", "The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process. The set of valid time zone names and the time zone offset is loaded from the system-wide time zone database by the API server during CronJob validation and the controller manager during execution. If no system-wide time zone database can be found a bundled version of the database is used instead. If the time zone name becomes invalid during the lifetime of a CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will create a system event with the reason UnknownTimeZone. More information can be found in https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones"),
            new TableColumn("Suspend", "boolean", "", "This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false."),
            Columns.I("Active", "A list of pointers to currently running jobs."),
            Columns.S("Last Schedule", "Information when was the last time the job was successfully scheduled."),
            Columns.Age,
            Columns.Containers,
            Columns.Images,
            Columns.S("Selector", "A label query over pods that should match the pod count. Normally, the system sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors", 1),
        ],
        (o, now) =>
        {
            var last = JsonPath.Str(o, "status", "lastScheduleTime") is { Length: > 0 } ls ? HumanDuration.Since(ls, now) : "<none>";
            var suspend = JsonPath.Bool(o, "spec", "suspend") is { } s ? (s ? "True" : "False") : "<unset>";
            var (names, images) = Cells.Containers(JsonPath.Get(o, "spec", "jobTemplate", "spec", "template", "spec", "containers"));
            return
            [
                JsonPath.Name(o), JsonPath.Str(o, "spec", "schedule") ?? "", JsonPath.Str(o, "spec", "timeZone") ?? "<none>", suspend,
                (long)(JsonPath.Arr(o, "status", "active")?.Count ?? 0), last, Cells.Age(o, now), names, images,
                Cells.Selector(JsonPath.Get(o, "spec", "jobTemplate", "spec", "selector")),
            ];
        });
}
