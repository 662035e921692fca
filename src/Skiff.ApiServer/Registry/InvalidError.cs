using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// Builds upstream's 422 Invalid Status for an object (apimachinery <c>errors.NewInvalid</c>):
/// <c>Kind "name" is invalid: field: body</c> (several errors are listed in brackets), details with the Kind,
/// the group and one cause per error.
/// </summary>
public static class InvalidError
{
    /// <summary>The exception for <paramref name="errors"/> about <paramref name="obj"/>.</summary>
    public static StatusException For(JsonObject obj, IReadOnlyList<FieldError> errors)
    {
        var kind = JsonPath.Str(obj, "kind") ?? "";
        var apiVersion = JsonPath.Str(obj, "apiVersion") ?? "";
        var slash = apiVersion.IndexOf('/');
        var group = slash < 0 ? "" : apiVersion[..slash];
        return For(kind, group, JsonPath.Name(obj), errors);
    }

    /// <summary>The exception for <paramref name="errors"/> about the named object of a kind and group.</summary>
    public static StatusException For(string kind, string group, string name, IReadOnlyList<FieldError> errors)
    {
        var qualified = group.Length == 0 ? kind : $"{kind}.{group}";
        var list = errors.Count == 1 ? errors[0].ToString() : "[" + string.Join(", ", errors.Select(e => e.ToString())) + "]";
        var message = $"{qualified} {Rules.Q(name)} is invalid: {list}";
        var causes = errors.Select(e => new StatusCause(e.Reason, e.ErrorBody, e.Field)).ToList();
        return new StatusException(422, "Invalid", message, new StatusDetails(Name: name, Group: group.Length == 0 ? null : group, Kind: kind, Causes: causes));
    }
}
