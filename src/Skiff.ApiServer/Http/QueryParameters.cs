using System.Globalization;
using Microsoft.AspNetCore.Http;
using Skiff.Api.Errors;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Http;

/// <summary>
/// Query parameters converted as upstream's parameter codec converts <c>url.Values</c> into option structs
/// (apimachinery <c>pkg/runtime/conversion.go</c>, used by <c>ParameterCodec.DecodeParameters</c>):
/// only the first value of a repeated parameter counts; booleans are false only for <c>0</c> or a case-insensitive
/// <c>false</c> and true for anything else, the empty string included (never an error); integers are Go's
/// <c>strconv.ParseInt(s, 10, 64)</c>, and a value it rejects is a 400 BadRequest carrying Go's error text.
/// </summary>
internal static class QueryParameters
{
    /// <summary>The first value of <paramref name="name"/>, or null when the parameter is absent.</summary>
    public static string? First(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 ? values[0] ?? "" : null;

    /// <summary>A boolean parameter (<c>Convert_Slice_string_To_bool</c>): absent, <c>0</c> or any-case <c>false</c> are false.</summary>
    public static bool Bool(IQueryCollection query, string name) => OptionalBool(query, name) ?? false;

    /// <summary>A <c>*bool</c> parameter (<c>Convert_Slice_string_To_Pointer_bool</c>): null when absent.</summary>
    public static bool? OptionalBool(IQueryCollection query, string name) => First(query, name) is { } v ? ParseBool(v) : null;

    /// <summary>Upstream's query boolean: <c>0</c> and case-insensitive <c>false</c> are false, every other text true.</summary>
    public static bool ParseBool(string value) => !(value == "0" || value.Equals("false", StringComparison.OrdinalIgnoreCase));

    /// <summary>An int64 parameter (<c>Convert_Slice_string_To_Pointer_int64</c>): null when absent; 400 when Go's ParseInt rejects it.</summary>
    public static long? OptionalInt64(IQueryCollection query, string name) => First(query, name) is { } v ? ParseInt64(v) : null;

    /// <summary>
    /// Go's <c>strconv.ParseInt(s, 10, 64)</c>: an optional sign then ASCII digits. Anything else is 400
    /// <c>strconv.ParseInt: parsing "x": invalid syntax</c>; a number outside int64 is <c>… value out of range</c>.
    /// </summary>
    public static long ParseInt64(string value)
    {
        var digits = value.Length > 0 && value[0] is '+' or '-' ? value.AsSpan(1) : value.AsSpan();
        if (digits.Length == 0 || digits.ContainsAnyExceptInRange('0', '9'))
        {
            throw StatusErrors.BadRequest($"strconv.ParseInt: parsing {GoFormat.Quote(value)}: invalid syntax");
        }

        if (!long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result))
        {
            throw StatusErrors.BadRequest($"strconv.ParseInt: parsing {GoFormat.Quote(value)}: value out of range");
        }

        return result;
    }
}
