namespace Skiff.Api.Validation;

/// <summary>The kinds of field error, with upstream's names (apimachinery <c>pkg/util/validation/field/errors.go</c>).</summary>
public enum FieldErrorType
{
    /// <summary>"Not found" / reason FieldValueNotFound.</summary>
    NotFound,
    /// <summary>"Required value" / FieldValueRequired.</summary>
    Required,
    /// <summary>"Duplicate value" / FieldValueDuplicate.</summary>
    Duplicate,
    /// <summary>"Invalid value" / FieldValueInvalid.</summary>
    Invalid,
    /// <summary>"Unsupported value" / FieldValueNotSupported.</summary>
    NotSupported,
    /// <summary>"Forbidden" / FieldValueForbidden.</summary>
    Forbidden,
    /// <summary>"Too long" / FieldValueTooLong.</summary>
    TooLong,
    /// <summary>"Too many" / FieldValueTooMany.</summary>
    TooMany,
    /// <summary>"Internal error" / InternalError.</summary>
    Internal,
    /// <summary>"Invalid value" of a type error / FieldValueTypeInvalid.</summary>
    TypeInvalid,
}

/// <summary>
/// One validation failure at a field path (e.g. <c>metadata.name</c>, <c>spec.containers[0].image</c>).
/// <see cref="ToString"/> gives upstream's text: <c>metadata.name: Invalid value: "Foo": a lowercase RFC 1123 …</c>.
/// </summary>
/// <param name="Type">The kind of error.</param>
/// <param name="Field">The field path.</param>
/// <param name="BadValue">The offending value as upstream prints it (already quoted for strings), or null to omit it.</param>
/// <param name="Detail">The explanation; may be empty.</param>
public sealed record FieldError(FieldErrorType Type, string Field, string? BadValue, string Detail)
{
    /// <summary>The Status cause reason for this type (FieldValueInvalid, FieldValueRequired, …).</summary>
    public string Reason => Type switch
    {
        FieldErrorType.NotFound => "FieldValueNotFound",
        FieldErrorType.Required => "FieldValueRequired",
        FieldErrorType.Duplicate => "FieldValueDuplicate",
        FieldErrorType.Invalid => "FieldValueInvalid",
        FieldErrorType.NotSupported => "FieldValueNotSupported",
        FieldErrorType.Forbidden => "FieldValueForbidden",
        FieldErrorType.TooLong => "FieldValueTooLong",
        FieldErrorType.TooMany => "FieldValueTooMany",
        FieldErrorType.Internal => "InternalError",
        FieldErrorType.TypeInvalid => "FieldValueTypeInvalid",
        _ => "FieldValueInvalid",
    };

    /// <summary>The human text of the type ("Invalid value", "Required value", …).</summary>
    public string TypeText => Type switch
    {
        FieldErrorType.NotFound => "Not found",
        FieldErrorType.Required => "Required value",
        FieldErrorType.Duplicate => "Duplicate value",
        FieldErrorType.Invalid => "Invalid value",
        FieldErrorType.NotSupported => "Unsupported value",
        FieldErrorType.Forbidden => "Forbidden",
        FieldErrorType.TooLong => "Too long",
        FieldErrorType.TooMany => "Too many",
        FieldErrorType.Internal => "Internal error",
        FieldErrorType.TypeInvalid => "Invalid value",
        _ => "Invalid value",
    };

    /// <summary>The cause message without the field: <c>Invalid value: "Foo": detail</c>.</summary>
    public string ErrorBody
    {
        get
        {
            var s = TypeText;
            if (BadValue is not null && Type is not (FieldErrorType.Required or FieldErrorType.Forbidden or FieldErrorType.TooLong or FieldErrorType.Internal))
            {
                s += ": " + BadValue;
            }

            if (Detail.Length > 0)
            {
                s += ": " + Detail;
            }

            return s;
        }
    }

    /// <inheritdoc/>
    public override string ToString() => Field.Length > 0 ? $"{Field}: {ErrorBody}" : ErrorBody;

    public static FieldError Required(string field, string detail = "") => new(FieldErrorType.Required, field, null, detail);
    public static FieldError Invalid(string field, string? quotedValue, string detail) => new(FieldErrorType.Invalid, field, quotedValue, detail);
    public static FieldError Forbidden(string field, string detail) => new(FieldErrorType.Forbidden, field, null, detail);
    public static FieldError NotSupported(string field, string? quotedValue, IEnumerable<string> supported) =>
        new(FieldErrorType.NotSupported, field, quotedValue, "supported values: " + string.Join(", ", supported.Select(v => $"\"{v}\"")));
    public static FieldError Duplicate(string field, string? quotedValue) => new(FieldErrorType.Duplicate, field, quotedValue, "");
    public static FieldError NotFound(string field, string? quotedValue) => new(FieldErrorType.NotFound, field, quotedValue, "");
}
