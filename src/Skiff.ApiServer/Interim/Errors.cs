using Skiff.Api.Errors;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Interim;

/// <summary>
/// Upstream-shaped Status errors (apimachinery <c>pkg/api/errors/errors.go</c>) used by the API server.
/// INTERIM: replaced by Skiff.Api's StatusErrors factory once it lands in main.
/// </summary>
internal static class Errors
{
    private static string Qualified(string group, string resource) => group.Length == 0 ? resource : $"{resource}.{group}";

    public static StatusException NotFound(string group, string resource, string name) =>
        new(404, "NotFound", $"{Qualified(group, resource)} \"{name}\" not found", new StatusDetails(name, NullIfEmpty(group), resource));

    public static StatusException AlreadyExists(string group, string resource, string name) =>
        new(409, "AlreadyExists", $"{Qualified(group, resource)} \"{name}\" already exists", new StatusDetails(name, NullIfEmpty(group), resource));

    public static StatusException Conflict(string group, string resource, string name, string why) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(group, resource)} \"{name}\": {why}", new StatusDetails(name, NullIfEmpty(group), resource));

    public const string OptimisticLockMessage = "the object has been modified; please apply your changes to the latest version and try again";

    public static StatusException Invalid(string group, string kind, string name, IReadOnlyList<FieldError> errors)
    {
        var qualifiedKind = group.Length == 0 ? kind : $"{kind}.{group}";
        var causes = errors.Select(e => new StatusCause(e.Reason, e.ErrorBody, e.Field)).ToList();
        var text = errors.Count == 1 ? errors[0].ToString() : "[" + string.Join(", ", errors.Select(e => e.ToString())) + "]";
        return new StatusException(422, "Invalid", $"{qualifiedKind} \"{name}\" is invalid: {text}", new StatusDetails(name, NullIfEmpty(group), kind, Causes: causes));
    }

    public static StatusException BadRequest(string message) => new(400, "BadRequest", message);

    public static StatusException Forbidden(string group, string resource, string name, string why) =>
        new(403, "Forbidden",
            name.Length == 0 ? $"{Qualified(group, resource)} is forbidden: {why}" : $"{Qualified(group, resource)} \"{name}\" is forbidden: {why}",
            new StatusDetails(NullIfEmpty(name), NullIfEmpty(group), resource));

    public static StatusException MethodNotSupported(string group, string resource, string verb) =>
        new(405, "MethodNotAllowed", $"{verb} is not supported on resources of kind \"{Qualified(group, resource)}\"", new StatusDetails(Group: NullIfEmpty(group), Kind: resource));

    public static StatusException Gone(string message) => new(410, "Expired", message);

    public static StatusException ResourceExpired(string message) => new(410, "Expired", message);

    public static StatusException TooLargeResourceVersion(long requested, long current) =>
        new(504, "Timeout", $"Too large resource version: {requested}, current: {current}",
            new StatusDetails(Causes: [new StatusCause("ResourceVersionTooLarge", "Too large resource version")], RetryAfterSeconds: 1));

    public static StatusException Unauthorized() => new(401, "Unauthorized", "Unauthorized");

    public static StatusException PageNotFound() => new(404, "NotFound", "the server could not find the requested resource", new StatusDetails());

    public static StatusException RequestEntityTooLarge(long limit) => new(413, "RequestEntityTooLarge", $"Request entity too large: limit is {limit}");

    public static StatusException Internal(string message) =>
        new(500, "InternalError", $"Internal error occurred: {message}", new StatusDetails(Causes: [new StatusCause("", message)]));

    public static StatusException InvalidOptions(string kind, IReadOnlyList<FieldError> errors)
    {
        var text = errors.Count == 1 ? errors[0].ToString() : "[" + string.Join(", ", errors.Select(e => e.ToString())) + "]";
        var causes = errors.Select(e => new StatusCause(e.Reason, e.ErrorBody, e.Field)).ToList();
        return new StatusException(422, "Invalid", $"{kind}.meta.k8s.io \"\" is invalid: {text}", new StatusDetails(Group: "meta.k8s.io", Kind: kind, Causes: causes));
    }

    private static string? NullIfEmpty(string s) => s.Length == 0 ? null : s;
}
