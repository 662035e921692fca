using System.Globalization;
using System.Text;
using Skiff.Api.Validation;

namespace Skiff.Api.Selectors;

/// <summary>
/// One validated requirement of a label selector (apimachinery <c>labels.Requirement</c>): a key, an operator and
/// its values. Instances are immutable and always valid: <see cref="Create"/> throws upstream's error otherwise.
/// </summary>
public sealed class LabelRequirement
{
    private static readonly string[] ValidOperators = { "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!" };

    private LabelRequirement(string key, SelectorOperator op, IReadOnlyList<string> values)
    {
        Key = key;
        Operator = op;
        Values = values;
    }

    /// <summary>The label key.</summary>
    public string Key { get; }

    /// <summary>The operator.</summary>
    public SelectorOperator Operator { get; }

    /// <summary>The values in the order given (empty for Exists/DoesNotExist).</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>
    /// Validates and builds a requirement like upstream's <c>NewRequirement</c>. <paramref name="path"/> prefixes
    /// the field paths in errors (null: none). Throws <see cref="SelectorParseException"/> with upstream's
    /// aggregated message (e.g. <c>values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty</c>).
    /// </summary>
    public static LabelRequirement Create(string key, SelectorOperator op, IEnumerable<string>? values, string? path = null)
    {
        var vals = values?.ToArray();
        var errs = Validate(key, op, vals, path);
        if (errs.Count > 0)
        {
            throw new SelectorParseException(FieldErrorList.AggregateMessage(errs));
        }

        return new LabelRequirement(key, op, vals ?? Array.Empty<string>());
    }

    internal static LabelRequirement Unchecked(string key, SelectorOperator op, params string[] values) => new(key, op, values);

    /// <summary>Upstream's operator spelling (<c>in</c>, <c>notin</c>, <c>=</c>, <c>==</c>, <c>!=</c>, <c>gt</c>, <c>lt</c>, <c>exists</c>, <c>!</c>).</summary>
    public static string OperatorString(SelectorOperator op) => op switch
    {
        SelectorOperator.In => "in",
        SelectorOperator.NotIn => "notin",
        SelectorOperator.Equals => "=",
        SelectorOperator.DoubleEquals => "==",
        SelectorOperator.NotEquals => "!=",
        SelectorOperator.GreaterThan => "gt",
        SelectorOperator.LessThan => "lt",
        SelectorOperator.Exists => "exists",
        SelectorOperator.DoesNotExist => "!",
        _ => op.ToString(),
    };

    internal static List<FieldError> Validate(string key, SelectorOperator op, string[]? vals, string? path)
    {
        var errs = new List<FieldError>();
        var keyErr = ValidateKey(key, Child(path, "key"));
        if (keyErr is not null)
        {
            errs.Add(keyErr);
        }

        var valuePath = Child(path, "values");
        var count = vals?.Length ?? 0;
        switch (op)
        {
            case SelectorOperator.In or SelectorOperator.NotIn:
                if (count == 0)
                {
                    errs.Add(FieldError.Invalid(valuePath, GoFormat.StringSlice(vals), "for 'in', 'notin' operators, values set can't be empty"));
                }

                break;
            case SelectorOperator.Equals or SelectorOperator.DoubleEquals or SelectorOperator.NotEquals:
                if (count != 1)
                {
                    errs.Add(FieldError.Invalid(valuePath, GoFormat.StringSlice(vals), "exact-match compatibility requires one single value"));
                }

                break;
            case SelectorOperator.Exists or SelectorOperator.DoesNotExist:
                if (count != 0)
                {
                    errs.Add(FieldError.Invalid(valuePath, GoFormat.StringSlice(vals), "values set must be empty for exists and does not exist"));
                }

                break;
            case SelectorOperator.GreaterThan or SelectorOperator.LessThan:
                if (count != 1)
                {
                    errs.Add(FieldError.Invalid(valuePath, GoFormat.StringSlice(vals), "for 'Gt', 'Lt' operators, exactly one value is required"));
                }

                for (var i = 0; i < count; i++)
                {
                    if (!TryParseInt64(vals![i], out _))
                    {
                        errs.Add(FieldError.Invalid($"{valuePath}[{i}]", GoFormat.Quote(vals[i]), "for 'Gt', 'Lt' operators, the value must be an integer"));
                    }
                }

                break;
            default:
                errs.Add(FieldError.NotSupported(Child(path, "operator"), GoFormat.Quote(OperatorString(op)), ValidOperators));
                break;
        }

        for (var i = 0; i < count; i++)
        {
            var msgs = ValueValidation.IsValidLabelValue(vals![i]);
            if (msgs.Count > 0)
            {
                errs.Add(FieldError.Invalid($"{valuePath}[{i}][{key}]", GoFormat.Quote(vals[i]), string.Join("; ", msgs)));
            }
        }

        return errs;
    }

    internal static FieldError? ValidateKey(string key, string fieldPath)
    {
        var msgs = ValueValidation.IsQualifiedName(key);
        return msgs.Count == 0 ? null : FieldError.Invalid(fieldPath, GoFormat.Quote(key), string.Join("; ", msgs));
    }

    /// <summary>Go's <c>strconv.ParseInt(s, 10, 64)</c>: optional sign, decimal digits only.</summary>
    internal static bool TryParseInt64(string s, out long value) =>
        long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && !s.StartsWith(' ');

    private static string Child(string? path, string name) => string.IsNullOrEmpty(path) ? name : path + "." + name;

    /// <summary>Whether the labels (null: none) satisfy this requirement, exactly as upstream matches.</summary>
    public bool Matches(IReadOnlyDictionary<string, string>? labels)
    {
        string? val = null;
        var exists = labels is not null && labels.TryGetValue(Key, out val);
        switch (Operator)
        {
            case SelectorOperator.In or SelectorOperator.Equals or SelectorOperator.DoubleEquals:
                return exists && HasValue(val!);
            case SelectorOperator.NotIn or SelectorOperator.NotEquals:
                return !exists || !HasValue(val!);
            case SelectorOperator.Exists:
                return exists;
            case SelectorOperator.DoesNotExist:
                return !exists;
            case SelectorOperator.GreaterThan or SelectorOperator.LessThan:
                if (!exists || !TryParseInt64(val!, out var have) || Values.Count != 1 || !TryParseInt64(Values[0], out var want))
                {
                    return false;
                }

                return Operator == SelectorOperator.GreaterThan ? have > want : have < want;
            default:
                return false;
        }
    }

    private bool HasValue(string value)
    {
        var values = Values;
        for (var i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], value, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Upstream's canonical text: <c>!a</c>, <c>a</c>, <c>a=b</c>, <c>a in (x,y)</c> (values sorted), <c>a&gt;1</c>.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        if (Operator == SelectorOperator.DoesNotExist)
        {
            sb.Append('!');
        }

        sb.Append(Key);
        switch (Operator)
        {
            case SelectorOperator.Equals: sb.Append('='); break;
            case SelectorOperator.DoubleEquals: sb.Append("=="); break;
            case SelectorOperator.NotEquals: sb.Append("!="); break;
            case SelectorOperator.In: sb.Append(" in "); break;
            case SelectorOperator.NotIn: sb.Append(" notin "); break;
            case SelectorOperator.GreaterThan: sb.Append('>'); break;
            case SelectorOperator.LessThan: sb.Append('<'); break;
            default: return sb.ToString();
        }

        var paren = Operator is SelectorOperator.In or SelectorOperator.NotIn;
        if (paren)
        {
            sb.Append('(');
        }

        sb.Append(Values.Count == 1 ? Values[0] : string.Join(",", Values.OrderBy(v => v, StringComparer.Ordinal)));
        if (paren)
        {
            sb.Append(')');
        }

        return sb.ToString();
    }
}
