using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.Api.Validation;

/// <summary>
/// Upstream's ObjectMeta validation (apimachinery <c>pkg/api/validation/objectmeta.go</c>, v0.32) over JSON
/// <c>metadata</c> objects, with upstream's field paths and texts. Returns every error found; empty when valid.
/// </summary>
public static class ObjectMetaValidation
{
    /// <summary>Maximum total bytes of annotation keys and values (256 KiB).</summary>
    public const int TotalAnnotationSizeLimitBytes = 256 * 1024;

    /// <summary>Maximum length of a field manager name.</summary>
    public const int FieldManagerMaxLength = 128;

    private const string FinalizerOrphanDependents = "orphan";
    private const string FinalizerDeleteDependents = "foregroundDeletion";

    /// <summary>Validates metadata on create with a (name, isPrefix) name validator (see <see cref="NameValidation"/>).</summary>
    public static List<FieldError> ValidateObjectMeta(JsonObject meta, bool namespaced, Func<string, bool, IReadOnlyList<string>> nameValidator, string fieldPath = "metadata")
    {
        var errs = new List<FieldError>();
        var generateName = Str(meta, "generateName");
        if (generateName.Length != 0)
        {
            foreach (var msg in nameValidator(generateName, true))
            {
                errs.Add(FieldError.Invalid(Child(fieldPath, "generateName"), GoFormat.Quote(generateName), msg));
            }
        }

        var name = Str(meta, "name");
        if (name.Length == 0)
        {
            errs.Add(FieldError.Required(Child(fieldPath, "name"), "name or generateName is required"));
        }
        else
        {
            foreach (var msg in nameValidator(name, false))
            {
                errs.Add(FieldError.Invalid(Child(fieldPath, "name"), GoFormat.Quote(name), msg));
            }
        }

        var ns = Str(meta, "namespace");
        if (namespaced)
        {
            if (ns.Length == 0)
            {
                errs.Add(FieldError.Required(Child(fieldPath, "namespace")));
            }
            else
            {
                foreach (var msg in NameValidation.ValidateNamespaceName(ns, false))
                {
                    errs.Add(FieldError.Invalid(Child(fieldPath, "namespace"), GoFormat.Quote(ns), msg));
                }
            }
        }
        else if (ns.Length != 0)
        {
            errs.Add(FieldError.Forbidden(Child(fieldPath, "namespace"), "not allowed on this type"));
        }

        if (Internal.JsonUtil.TryGetInt64(meta["generation"], out var generation) && generation < 0)
        {
            errs.Add(FieldError.Invalid(Child(fieldPath, "generation"), generation.ToString(CultureInfo.InvariantCulture), "must be greater than or equal to 0"));
        }

        errs.AddRange(ValidateLabels(meta["labels"] as JsonObject, Child(fieldPath, "labels")));
        errs.AddRange(ValidateAnnotations(meta["annotations"] as JsonObject, Child(fieldPath, "annotations")));
        errs.AddRange(ValidateOwnerReferences(meta["ownerReferences"] as JsonArray, Child(fieldPath, "ownerReferences")));
        errs.AddRange(ValidateFinalizers(meta["finalizers"] as JsonArray, Child(fieldPath, "finalizers")));
        errs.AddRange(ValidateManagedFields(meta["managedFields"] as JsonArray, Child(fieldPath, "managedFields")));
        return errs;
    }

    /// <summary>Validates metadata on create with a one-argument name validator (generateName prefixes get their trailing '-' masked).</summary>
    public static List<FieldError> ValidateObjectMeta(JsonObject meta, bool namespaced, Func<string, IReadOnlyList<string>> nameValidator, string fieldPath = "metadata") =>
        ValidateObjectMeta(meta, namespaced, NameValidation.WithPrefix(nameValidator), fieldPath);

    /// <summary>
    /// Validates metadata on update: no new finalizers while deleting, resourceVersion present, generation not
    /// decremented, name/namespace/uid/creationTimestamp/deletionTimestamp/deletionGracePeriodSeconds immutable
    /// (<c>field is immutable</c>), labels, annotations, ownerReferences, managedFields.
    /// </summary>
    public static List<FieldError> ValidateObjectMetaUpdate(JsonObject newMeta, JsonObject oldMeta, string fieldPath = "metadata")
    {
        var errs = new List<FieldError>();
        if (oldMeta["deletionTimestamp"] is JsonValue)
        {
            var extra = Strings(newMeta["finalizers"] as JsonArray).Except(Strings(oldMeta["finalizers"] as JsonArray), StringComparer.Ordinal)
                .Distinct(StringComparer.Ordinal).OrderBy(s => s, StringComparer.Ordinal).ToList();
            if (extra.Count != 0)
            {
                errs.Add(FieldError.Forbidden(Child(fieldPath, "finalizers"),
                    "no new finalizers can be added if the object is being deleted, found new finalizers " + GoFormat.StringSlice(extra)));
            }
        }

        var rv = Str(newMeta, "resourceVersion");
        if (rv.Length == 0)
        {
            errs.Add(FieldError.Invalid(Child(fieldPath, "resourceVersion"), GoFormat.Quote(rv), "must be specified for an update"));
        }

        var newGen = Long(newMeta, "generation");
        if (newGen < Long(oldMeta, "generation"))
        {
            errs.Add(FieldError.Invalid(Child(fieldPath, "generation"), newGen.ToString(CultureInfo.InvariantCulture), "must not be decremented"));
        }

        ImmutableString(errs, newMeta, oldMeta, "name", fieldPath);
        ImmutableString(errs, newMeta, oldMeta, "namespace", fieldPath);
        ImmutableString(errs, newMeta, oldMeta, "uid", fieldPath);
        ImmutableTime(errs, newMeta, oldMeta, "creationTimestamp", fieldPath, pointer: false);
        ImmutableTime(errs, newMeta, oldMeta, "deletionTimestamp", fieldPath, pointer: true);
        var newGrace = Internal.JsonUtil.TryGetInt64(newMeta["deletionGracePeriodSeconds"], out var ngv) ? ngv : (long?)null;
        var oldGrace = Internal.JsonUtil.TryGetInt64(oldMeta["deletionGracePeriodSeconds"], out var ogv) ? ogv : (long?)null;
        if (newGrace != oldGrace)
        {
            errs.Add(FieldError.Invalid(Child(fieldPath, "deletionGracePeriodSeconds"),
                newGrace?.ToString(CultureInfo.InvariantCulture) ?? "null", StatusImmutable));
        }

        errs.AddRange(ValidateLabels(newMeta["labels"] as JsonObject, Child(fieldPath, "labels")));
        errs.AddRange(ValidateAnnotations(newMeta["annotations"] as JsonObject, Child(fieldPath, "annotations")));
        errs.AddRange(ValidateOwnerReferences(newMeta["ownerReferences"] as JsonArray, Child(fieldPath, "ownerReferences")));
        errs.AddRange(ValidateManagedFields(newMeta["managedFields"] as JsonArray, Child(fieldPath, "managedFields")));
        return errs;
    }

    private const string StatusImmutable = "field is immutable";

    /// <summary>An immutable field check with upstream's text; values are pre-formatted as upstream prints them.</summary>
    public static FieldError? ValidateImmutableField(string fieldPath, string? newFormatted, string? oldFormatted) =>
        string.Equals(newFormatted, oldFormatted, StringComparison.Ordinal) ? null : FieldError.Invalid(fieldPath, newFormatted ?? "null", StatusImmutable);

    /// <summary>Label keys must be qualified names, values valid label values.</summary>
    public static List<FieldError> ValidateLabels(JsonObject? labels, string fieldPath)
    {
        var errs = new List<FieldError>();
        if (labels is null)
        {
            return errs;
        }

        foreach (var (k, v) in labels)
        {
            foreach (var msg in ValueValidation.IsQualifiedName(k))
            {
                errs.Add(FieldError.Invalid(fieldPath, GoFormat.Quote(k), msg));
            }

            var value = AsString(v);
            foreach (var msg in ValueValidation.IsValidLabelValue(value))
            {
                errs.Add(FieldError.Invalid(fieldPath, GoFormat.Quote(value), msg));
            }
        }

        return errs;
    }

    /// <summary>Annotation keys must be qualified names (checked lower-cased); keys plus values at most 256 KiB.</summary>
    public static List<FieldError> ValidateAnnotations(JsonObject? annotations, string fieldPath)
    {
        var errs = new List<FieldError>();
        if (annotations is null)
        {
            return errs;
        }

        long total = 0;
        foreach (var (k, v) in annotations)
        {
            foreach (var msg in ValueValidation.IsQualifiedName(k.ToLowerInvariant()))
            {
                errs.Add(FieldError.Invalid(fieldPath, GoFormat.Quote(k), msg));
            }

            total += Encoding.UTF8.GetByteCount(k) + Encoding.UTF8.GetByteCount(AsString(v));
        }

        if (total > TotalAnnotationSizeLimitBytes)
        {
            errs.Add(new FieldError(FieldErrorType.TooLong, fieldPath, null, $"may not be more than {TotalAnnotationSizeLimitBytes} bytes"));
        }

        return errs;
    }

    /// <summary>Owner references need apiVersion with a version, kind, name and uid; Events cannot own; at most one controller.</summary>
    public static List<FieldError> ValidateOwnerReferences(JsonArray? refs, string fieldPath)
    {
        var errs = new List<FieldError>();
        if (refs is null)
        {
            return errs;
        }

        string? firstController = null;
        foreach (var node in refs)
        {
            var r = node as JsonObject ?? new JsonObject();
            var apiVersion = Str(r, "apiVersion");
            var kind = Str(r, "kind");
            var name = Str(r, "name");
            var uid = Str(r, "uid");
            var (group, version) = SplitApiVersion(apiVersion);
            if (version.Length == 0)
            {
                errs.Add(FieldError.Invalid(Child(fieldPath, "apiVersion"), GoFormat.Quote(apiVersion), "version must not be empty"));
            }

            if (kind.Length == 0)
            {
                errs.Add(FieldError.Invalid(Child(fieldPath, "kind"), GoFormat.Quote(kind), "kind must not be empty"));
            }

            if (name.Length == 0)
            {
                errs.Add(FieldError.Invalid(Child(fieldPath, "name"), GoFormat.Quote(name), "name must not be empty"));
            }

            if (uid.Length == 0)
            {
                errs.Add(FieldError.Invalid(Child(fieldPath, "uid"), GoFormat.Quote(uid), "uid must not be empty"));
            }

            if (group.Length == 0 && version == "v1" && kind == "Event")
            {
                errs.Add(FieldError.Invalid(fieldPath, r.ToJsonString(), "/v1, Kind=Event is disallowed from being an owner"));
            }

            if (r["controller"] is JsonValue c && c.GetValueKind() == JsonValueKind.True)
            {
                var current = kind + "/" + name;
                if (firstController is not null)
                {
                    errs.Add(FieldError.Invalid(fieldPath, refs.ToJsonString(),
                        $"Only one reference can have Controller set to true. Found \"true\" in references for {firstController} and {current}"));
                }
                else
                {
                    firstController = current;
                }
            }
        }

        return errs;
    }

    /// <summary>Finalizers must be qualified names; <c>orphan</c> and <c>foregroundDeletion</c> exclude each other.</summary>
    public static List<FieldError> ValidateFinalizers(JsonArray? finalizers, string fieldPath)
    {
        var errs = new List<FieldError>();
        var list = Strings(finalizers).ToList();
        foreach (var f in list)
        {
            foreach (var msg in ValueValidation.IsQualifiedName(f))
            {
                errs.Add(FieldError.Invalid(fieldPath, GoFormat.Quote(f), msg));
            }
        }

        if (list.Contains(FinalizerOrphanDependents) && list.Contains(FinalizerDeleteDependents))
        {
            errs.Add(FieldError.Invalid(fieldPath, GoFormat.StringSlice(list),
                $"finalizer {FinalizerOrphanDependents} and {FinalizerDeleteDependents} cannot be both set"));
        }

        return errs;
    }

    /// <summary>managedFields entries: operation Apply/Update, fieldsType FieldsV1, manager ≤128 printable characters, subresource ≤256.</summary>
    public static List<FieldError> ValidateManagedFields(JsonArray? entries, string fieldPath)
    {
        var errs = new List<FieldError>();
        if (entries is null)
        {
            return errs;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var e = entries[i] as JsonObject ?? new JsonObject();
            var p = $"{fieldPath}[{i}]";
            var op = Str(e, "operation");
            if (op is not ("Apply" or "Update"))
            {
                errs.Add(FieldError.Invalid(p + ".operation", GoFormat.Quote(op), "must be `Apply` or `Update`"));
            }

            var ft = Str(e, "fieldsType");
            if (ft.Length > 0 && ft != "FieldsV1")
            {
                errs.Add(FieldError.Invalid(p + ".fieldsType", GoFormat.Quote(ft), "must be `FieldsV1`"));
            }

            errs.AddRange(ValidateFieldManager(Str(e, "manager"), p + ".manager"));
            if (Encoding.UTF8.GetByteCount(Str(e, "subresource")) > 256)
            {
                errs.Add(new FieldError(FieldErrorType.TooLong, p + ".subresource", null, "may not be more than 256 bytes"));
            }
        }

        return errs;
    }

    /// <summary>A field manager name: at most 128 bytes, printable characters only.</summary>
    public static List<FieldError> ValidateFieldManager(string manager, string fieldPath)
    {
        var errs = new List<FieldError>();
        if (Encoding.UTF8.GetByteCount(manager) > FieldManagerMaxLength)
        {
            errs.Add(new FieldError(FieldErrorType.TooLong, fieldPath, null, $"may not be more than {FieldManagerMaxLength} bytes"));
        }

        var bytePos = 0;
        foreach (var r in manager.EnumerateRunes())
        {
            var cat = Rune.GetUnicodeCategory(r);
            var printable = r.Value == ' ' || cat is not (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate
                or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.SpaceSeparator);
            if (!printable)
            {
                errs.Add(FieldError.Invalid(fieldPath, GoFormat.Quote(manager),
                    $"invalid character U+{r.Value.ToString("X4", CultureInfo.InvariantCulture)} (at position {bytePos})"));
            }

            bytePos += r.Utf8SequenceLength;
        }

        return errs;
    }

    /// <summary>Go's <c>time.Time.String()</c> of an RFC 3339 timestamp, in UTC (<c>2024-01-02 03:04:05 +0000 UTC</c>).</summary>
    public static string FormatGoTime(string? rfc3339)
    {
        var t = DateTimeOffset.MinValue;
        if (!string.IsNullOrEmpty(rfc3339))
        {
            if (!DateTimeOffset.TryParse(rfc3339, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out t))
            {
                return rfc3339;
            }
        }

        var u = t.ToUniversalTime();
        var s = u.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var ticks = u.Ticks % TimeSpan.TicksPerSecond;
        if (ticks != 0)
        {
            s += "." + (ticks * 100).ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
        }

        return s + " +0000 UTC";
    }

    private static void ImmutableString(List<FieldError> errs, JsonObject newMeta, JsonObject oldMeta, string field, string fieldPath)
    {
        var n = Str(newMeta, field);
        if (ValidateImmutableField(Child(fieldPath, field), GoFormat.Quote(n), GoFormat.Quote(Str(oldMeta, field))) is { } e)
        {
            errs.Add(e);
        }
    }

    private static void ImmutableTime(List<FieldError> errs, JsonObject newMeta, JsonObject oldMeta, string field, string fieldPath, bool pointer)
    {
        string? Fmt(JsonObject m)
        {
            var raw = m[field] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
            return raw is null && pointer ? null : FormatGoTime(raw);
        }

        if (ValidateImmutableField(Child(fieldPath, field), Fmt(newMeta), Fmt(oldMeta)) is { } e)
        {
            errs.Add(e);
        }
    }

    private static (string Group, string Version) SplitApiVersion(string apiVersion)
    {
        var i = apiVersion.IndexOf('/', StringComparison.Ordinal);
        if (i >= 0 && apiVersion.IndexOf('/', i + 1) >= 0)
        {
            return ("", "");
        }

        return i < 0 ? ("", apiVersion) : (apiVersion[..i], apiVersion[(i + 1)..]);
    }

    private static string Child(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string Str(JsonObject o, string name) => AsString(o[name]);

    private static long Long(JsonObject o, string name) => Internal.JsonUtil.TryGetInt64(o[name], out var l) ? l : 0;

    private static string AsString(JsonNode? v) =>
        v is null ? "" : v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString();

    private static IEnumerable<string> Strings(JsonArray? a) => a is null ? Enumerable.Empty<string>() : a.Select(AsString);
}
