using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.CustomResources.Schema;

/// <summary>
/// OpenAPI v3 value validation of a custom resource against its schema, as upstream's kube-openapi
/// <c>validate.SchemaValidator</c> does and apiextensions converts its result to field errors
/// (<c>kubeOpenAPIResultToFieldErrors</c>): the same checks, in the same order per node (type, allOf/anyOf/oneOf/not,
/// string, format, number, array, enum, object), with the same messages (<c>spec.replicas in body should be less than
/// or equal to 10</c>) and field paths (<c>spec.items[0].name</c>).
/// </summary>
internal static class OpenApiValueValidator
{
    /// <summary>Validates <paramref name="data"/> at <paramref name="path"/> (empty for the root) into <paramref name="errs"/>.</summary>
    public static void Validate(SchemaNode s, JsonNode? data, string path, List<FieldError> errs)
    {
        if (data is null)
        {
            TypeCheck(s, null, path, errs);
            Enum(s, null, path, errs);
            return;
        }

        var kind = data.GetValueKind();
        TypeCheck(s, data, path, errs);
        Composition(s, data, path, errs);
        if (kind == JsonValueKind.String)
        {
            StringChecks(s, data.GetValue<string>(), path, errs);
            FormatCheck(s, data.GetValue<string>(), path, errs);
        }
        else if (kind == JsonValueKind.Number)
        {
            NumberChecks(s, data.AsValue(), path, errs);
        }
        else if (data is JsonArray array)
        {
            ArrayChecks(s, array, path, errs);
        }

        Enum(s, data, path, errs);
        if (data is JsonObject obj)
        {
            ObjectChecks(s, obj, path, errs);
        }
    }

    /// <summary>True when <paramref name="data"/> validates against <paramref name="s"/> with no error.</summary>
    public static bool IsValid(SchemaNode s, JsonNode? data)
    {
        var errs = new List<FieldError>();
        Validate(s, data, "", errs);
        return errs.Count == 0;
    }

    private static IReadOnlyList<string> Types(SchemaNode s) =>
        s.IntOrString ? ["integer", "string"] : s.Type.Length > 0 ? [s.Type] : [];

    /// <summary>The JSON type kube-openapi infers for an unstructured value, and its format.</summary>
    private static (string Type, string Format) Infer(JsonNode data) => data.GetValueKind() switch
    {
        JsonValueKind.String => ("string", ""),
        JsonValueKind.Number => GoValue.IsInteger(data.AsValue(), out _) ? ("integer", "int64") : ("number", "double"),
        JsonValueKind.True or JsonValueKind.False => ("boolean", ""),
        JsonValueKind.Array => ("array", ""),
        JsonValueKind.Object => ("object", ""),
        _ => ("", ""),
    };

    private static void TypeCheck(SchemaNode s, JsonNode? data, string path, List<FieldError> errs)
    {
        var types = Types(s);
        if (types.Count == 0 && s.Format.Length == 0)
        {
            return;
        }

        var typeName = string.Join(",", types);
        if (data is null)
        {
            if (types.Count > 0 && !types.Contains("null") && !s.Nullable)
            {
                errs.Add(TypeError(path, typeName, "null"));
            }

            return;
        }

        var (schType, format) = Infer(data);
        var kind = data.GetValueKind();
        var isFloatInt = schType == "number" && IsIntegral(GoValue.AsDouble(data.AsValue())) && types.Contains("integer");
        var isIntFloat = schType == "integer" && types.Contains("number");
        var isLowerInt = s.Format == "int64" && format == "int32";
        var isLowerFloat = s.Format == "float64" && format == "float32";
        var stringOrSlice = kind is JsonValueKind.String or JsonValueKind.Array;
        if (!stringOrSlice && s.Format.Length > 0 && !(types.Contains(schType) || format == s.Format || isFloatInt || isIntFloat || isLowerInt || isLowerFloat))
        {
            errs.Add(TypeError(path, s.Format, format));
            return;
        }

        if (!(types.Contains("number") || types.Contains("integer")) && s.Format.Length > 0 && stringOrSlice)
        {
            return;
        }

        if (!(types.Contains(schType) || isFloatInt || isIntFloat))
        {
            errs.Add(TypeError(path, typeName, schType));
        }
    }

    private static bool IsIntegral(double d) => Math.Floor(d) == d && !double.IsInfinity(d) && Math.Abs(d) < 1e15;

    private static FieldError TypeError(string path, string typeName, string value) =>
        new(FieldErrorType.TypeInvalid, GoValue.Path(path), GoFormat.Quote(value), $"{path} in body must be of type {typeName}: {GoFormat.Quote(value)}");

    private static void Composition(SchemaNode s, JsonNode data, string path, List<FieldError> errs)
    {
        if (s.AnyOf.Count > 0)
        {
            List<FieldError>? best = null;
            var succeeded = false;
            foreach (var sub in s.AnyOf)
            {
                var r = new List<FieldError>();
                Validate(sub, data, path, r);
                if (r.Count == 0)
                {
                    succeeded = true;
                    best = null;
                    break;
                }

                if (best is null || r.Count < best.Count)
                {
                    best = r;
                }
            }

            if (!succeeded)
            {
                errs.Add(Plain($"{GoFormat.Quote(path)} must validate at least one schema (anyOf)"));
            }

            if (best is not null)
            {
                errs.AddRange(best);
            }
        }

        if (s.OneOf.Count > 0)
        {
            List<FieldError>? best = null;
            var validated = 0;
            foreach (var sub in s.OneOf)
            {
                var r = new List<FieldError>();
                Validate(sub, data, path, r);
                if (r.Count == 0)
                {
                    validated++;
                    best = null;
                    continue;
                }

                if (validated == 0 && (best is null || r.Count < best.Count))
                {
                    best = r;
                }
            }

            if (validated != 1)
            {
                var more = validated == 0 ? "Found none valid" : $"Found {validated} valid alternatives";
                errs.Add(Plain($"{GoFormat.Quote(path)} must validate one and only one schema (oneOf). {more}"));
                if (best is not null)
                {
                    errs.AddRange(best);
                }
            }
        }

        if (s.AllOf.Count > 0)
        {
            var validated = 0;
            foreach (var sub in s.AllOf)
            {
                var r = new List<FieldError>();
                Validate(sub, data, path, r);
                validated += r.Count == 0 ? 1 : 0;
                errs.AddRange(r);
            }

            if (validated != s.AllOf.Count)
            {
                errs.Add(Plain($"{GoFormat.Quote(path)} must validate all the schemas (allOf){(validated == 0 ? ". None validated" : "")}"));
            }
        }

        if (s.Not is not null && IsValid(s.Not, data))
        {
            errs.Add(Plain($"{GoFormat.Quote(path)} must not validate the schema (not)"));
        }
    }

    /// <summary>A kube-openapi error that is not a <c>*Validation</c>: apiextensions reports it at the nil path.</summary>
    private static FieldError Plain(string message) => FieldError.Invalid("<nil>", "\"\"", message);

    private static void StringChecks(SchemaNode s, string value, string path, List<FieldError> errs)
    {
        var length = value.EnumerateRunes().Count();
        if (s.MaxLength is { } max && length > max)
        {
            errs.Add(new FieldError(FieldErrorType.TooLong, GoValue.Path(path), null, $"may not be more than {max} {(max == 1 ? "byte" : "bytes")}"));
        }

        if (s.MinLength is { } min && length < min)
        {
            errs.Add(FieldError.Invalid(GoValue.Path(path), GoFormat.Quote(value), $"{path} in body should be at least {min} chars long"));
        }

        if (s.PatternRegex is { } regex && !Matches(regex, value))
        {
            errs.Add(FieldError.Invalid(GoValue.Path(path), GoFormat.Quote(value), $"{path} in body should match '{s.Pattern}'"));
        }
    }

    private static bool Matches(System.Text.RegularExpressions.Regex regex, string value)
    {
        try
        {
            return regex.IsMatch(value);
        }
        catch (System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static void FormatCheck(SchemaNode s, string value, string path, List<FieldError> errs)
    {
        if (s.Format.Length > 0 && SchemaFormats.IsKnown(s.Format) && !SchemaFormats.IsValid(s.Format, value))
        {
            errs.Add(new FieldError(FieldErrorType.TypeInvalid, GoValue.Path(path), GoFormat.Quote(value),
                $"{path} in body must be of type {s.Format}: {GoFormat.Quote(value)}"));
        }
    }

    private static void NumberChecks(SchemaNode s, JsonValue v, string path, List<FieldError> errs)
    {
        var isInt = GoValue.IsInteger(v, out var l);
        var d = GoValue.AsDouble(v);
        var bad = GoValue.Number(v);
        if (!InRange(s, isInt, l, d))
        {
            var what = s.Type.Length > 0 ? s.Type : "number";
            var msg = s.Format.Length > 0
                ? $"Checked value must be of type {what} with format {s.Format} in {path}"
                : $"Checked value must be of type {what} in {path}";
            errs.Add(Plain(msg));
        }

        if (s.MultipleOf is { } factor && factor > 0)
        {
            var q = d / factor;
            if (Math.Abs(q - Math.Round(q)) > 1e-9 * Math.Max(1, Math.Abs(q)))
            {
                errs.Add(FieldError.Invalid(GoValue.Path(path), bad, $"{path} in body should be a multiple of {Limit(factor, isInt)}"));
            }
        }

        if (s.Maximum is { } max && (s.ExclusiveMaximum ? d >= max : d > max))
        {
            errs.Add(FieldError.Invalid(GoValue.Path(path), bad,
                $"{path} in body should be less than {(s.ExclusiveMaximum ? "" : "or equal to ")}{Limit(max, isInt)}"));
        }

        if (s.Minimum is { } min && (s.ExclusiveMinimum ? d <= min : d < min))
        {
            errs.Add(FieldError.Invalid(GoValue.Path(path), bad,
                $"{path} in body should be greater than {(s.ExclusiveMinimum ? "" : "or equal to ")}{Limit(min, isInt)}"));
        }
    }

    /// <summary>A limit as kube-openapi prints it: as an int64 when the value is an int and the limit integral, else a float64.</summary>
    private static string Limit(double limit, bool valueIsInt) =>
        valueIsInt && Math.Floor(limit) == limit && Math.Abs(limit) < 9.2e18
            ? ((long)limit).ToString(System.Globalization.CultureInfo.InvariantCulture)
            : GoValue.Float(limit);

    private static bool InRange(SchemaNode s, bool isInt, long l, double d) => (s.Type, s.Format) switch
    {
        ("integer", "int32") => isInt ? l is >= int.MinValue and <= int.MaxValue : d is >= int.MinValue and <= int.MaxValue && IsIntegral(d),
        ("integer", "uint32") => isInt ? l is >= 0 and <= uint.MaxValue : d is >= 0 and <= uint.MaxValue && IsIntegral(d),
        ("integer", "uint64") => isInt ? l >= 0 : d >= 0,
        ("number", "float" or "float32") => Math.Abs(d) <= float.MaxValue,
        _ => true,
    };

    private static void ArrayChecks(SchemaNode s, JsonArray array, string path, List<FieldError> errs)
    {
        if (s.Items is { } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Validate(items, array[i], $"{path}[{i}]", errs);
            }
        }

        if (s.MinItems is { } min && array.Count < min)
        {
            errs.Add(FieldError.Invalid(GoValue.Path(path), array.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{path} in body should have at least {min} items"));
        }

        if (s.MaxItems is { } max && array.Count > max)
        {
            errs.Add(TooMany(path, array.Count, max));
        }

        if (s.UniqueItems && HasDuplicates(array))
        {
            errs.Add(FieldError.Invalid(GoValue.Path(path), "\"\"", $"{path} in body shouldn't contain duplicates"));
        }
    }

    private static FieldError TooMany(string path, long actual, long max) =>
        new(FieldErrorType.TooMany, GoValue.Path(path), actual.ToString(System.Globalization.CultureInfo.InvariantCulture),
            $"must have at most {max} {(max == 1 ? "item" : "items")}");

    private static bool HasDuplicates(JsonArray array)
    {
        for (var i = 0; i < array.Count; i++)
        {
            for (var j = i + 1; j < array.Count; j++)
            {
                if (JsonEquality.Equal(array[i], array[j]))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static void Enum(SchemaNode s, JsonNode? data, string path, List<FieldError> errs)
    {
        if (s.Enum is not { Count: > 0 } values || values.Any(e => JsonEquality.Equal(e, data)))
        {
            return;
        }

        var supported = values.Select(e => e is JsonValue ev && ev.GetValueKind() == JsonValueKind.String ? ev.GetValue<string>() : e?.ToJsonString() ?? "null");
        errs.Add(FieldError.NotSupported(GoValue.Path(path), GoValue.BadValue(data), supported));
    }

    private static void ObjectChecks(SchemaNode s, JsonObject obj, string path, List<FieldError> errs)
    {
        if (s.MinProperties is { } min && obj.Count < min)
        {
            errs.Add(FieldError.Invalid(GoValue.Path(path), obj.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                $"{path} in body should have at least {min} properties"));
        }

        if (s.MaxProperties is { } max && obj.Count > max)
        {
            errs.Add(TooMany(path, obj.Count, max));
        }

        foreach (var name in s.Required)
        {
            if (!obj.ContainsKey(name))
            {
                errs.Add(FieldError.Required(GoValue.Child(path, name)));
            }
        }

        if (s.Properties is { } props)
        {
            foreach (var (name, prop) in props)
            {
                if (obj.TryGetPropertyValue(name, out var v))
                {
                    Validate(prop, v, GoValue.Child(path, name), errs);
                }
            }
        }

        if (s.AdditionalProperties is { } additional)
        {
            foreach (var (name, v) in obj)
            {
                if (s.Properties is null || !s.Properties.ContainsKey(name))
                {
                    Validate(additional, v, GoValue.Child(path, name), errs);
                }
            }
        }
    }
}
