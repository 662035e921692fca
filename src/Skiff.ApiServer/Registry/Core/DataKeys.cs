using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// The rules shared by configmaps and secrets: config keys (<c>IsConfigMapKey</c>) and the <c>immutable</c> flag
/// (<c>field is immutable when `immutable` is set</c>).
/// </summary>
public static partial class DataKeys
{
    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex KeyRegex();

    /// <summary>Validates the keys of the map at <paramref name="field"/>.</summary>
    public static IEnumerable<FieldError> Validate(JsonObject obj, string field)
    {
        if (JsonPath.Obj(obj, field) is not { } map)
        {
            yield break;
        }

        foreach (var (key, _) in map)
        {
            foreach (var m in ConfigKey(key))
            {
                yield return FieldError.Invalid($"{field}[{key}]", Rules.Q(key), m);
            }
        }
    }

    /// <summary>upstream's <c>IsConfigMapKey</c> messages.</summary>
    public static IReadOnlyList<string> ConfigKey(string key)
    {
        var errs = new List<string>();
        if (key.Length > 253)
        {
            errs.Add("must be no more than 253 characters");
        }

        if (!KeyRegex().IsMatch(key))
        {
            errs.Add("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
        }

        if (key == ".")
        {
            errs.Add("must not be '.'");
        }
        else if (key == "..")
        {
            errs.Add("must not be '..'");
        }
        else if (key.StartsWith("..", StringComparison.Ordinal))
        {
            errs.Add("must not start with '..'");
        }

        return errs;
    }

    /// <summary>When the old object is immutable: the flag may not be unset and the data fields may not change.</summary>
    public static IEnumerable<FieldError> ValidateImmutable(JsonObject newObj, JsonObject oldObj, params string[] dataFields)
    {
        if (JsonPath.Bool(oldObj, "immutable") != true)
        {
            yield break;
        }

        if (JsonPath.Bool(newObj, "immutable") != true)
        {
            yield return FieldError.Forbidden("immutable", "field is immutable when `immutable` is set");
        }

        foreach (var f in dataFields)
        {
            if (!JsonNode.DeepEquals(Norm(newObj[f]), Norm(oldObj[f])))
            {
                yield return FieldError.Forbidden(f, "field is immutable when `immutable` is set");
            }
        }
    }

    private static JsonNode? Norm(JsonNode? n) => n is JsonObject { Count: 0 } ? null : n;
}
