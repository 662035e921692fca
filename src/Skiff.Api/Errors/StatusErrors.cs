using Skiff.Api.Validation;

namespace Skiff.Api.Errors;

/// <summary>
/// Factories for <see cref="StatusException"/> with upstream's exact codes, reasons, messages and details
/// (apimachinery <c>pkg/api/errors/errors.go</c>, apiserver negotiation and admission errors). Resources are named
/// by group and plural resource; an empty group is the core group (<c>pods "x" not found</c>, otherwise
/// <c>deployments.apps "x" not found</c>).
/// </summary>
public static class StatusErrors
{
    /// <summary>Upstream's optimistic-lock text used in update conflicts.</summary>
    public const string OptimisticLockMessage = "the object has been modified; please apply your changes to the latest version and try again";

    /// <summary>Upstream's <c>field is immutable</c>.</summary>
    public const string FieldImmutableMessage = "field is immutable";

    /// <summary><c>resource.group</c>, or <c>resource</c> for the core group (schema.GroupResource.String()).</summary>
    public static string Qualified(string group, string resourceOrKind) =>
        string.IsNullOrEmpty(group) ? resourceOrKind : resourceOrKind + "." + group;

    private static StatusDetails? Details(string group, string kind, string name, IReadOnlyList<StatusCause>? causes = null, int retryAfterSeconds = 0)
    {
        var d = new StatusDetails(
            Name: string.IsNullOrEmpty(name) ? null : name,
            Group: string.IsNullOrEmpty(group) ? null : group,
            Kind: string.IsNullOrEmpty(kind) ? null : kind,
            Causes: causes is { Count: > 0 } ? causes : null,
            RetryAfterSeconds: retryAfterSeconds > 0 ? retryAfterSeconds : null);
        return d;
    }

    /// <summary>404 NotFound: <c>pods "x" not found</c>.</summary>
    public static StatusException NotFound(string group, string resource, string name) =>
        new(404, "NotFound", $"{Qualified(group, resource)} {GoFormat.Quote(name)} not found", Details(group, resource, name));

    /// <summary>409 AlreadyExists: <c>pods "x" already exists</c>.</summary>
    public static StatusException AlreadyExists(string group, string resource, string name) =>
        new(409, "AlreadyExists", $"{Qualified(group, resource)} {GoFormat.Quote(name)} already exists", Details(group, resource, name));

    /// <summary>409 AlreadyExists when generateName produced a taken name (retry after the given seconds).</summary>
    public static StatusException GenerateNameConflict(string group, string resource, string name, int retryAfterSeconds) =>
        new(409, "AlreadyExists",
            $"{Qualified(group, resource)} {GoFormat.Quote(name)} already exists, the server was not able to generate a unique name for the object",
            Details(group, resource, name, retryAfterSeconds: retryAfterSeconds));

    /// <summary>409 Conflict: <c>Operation cannot be fulfilled on pods "x": detail</c>.</summary>
    public static StatusException Conflict(string group, string resource, string name, string detail) =>
        new(409, "Conflict", $"Operation cannot be fulfilled on {Qualified(group, resource)} {GoFormat.Quote(name)}: {detail}", Details(group, resource, name));

    /// <summary>409 Conflict for a stale resourceVersion on update/patch/delete (<see cref="OptimisticLockMessage"/>).</summary>
    public static StatusException OptimisticLockConflict(string group, string resource, string name) =>
        Conflict(group, resource, name, OptimisticLockMessage);

    /// <summary>409 Conflict of server-side apply: only causes in details, message given.</summary>
    public static StatusException ApplyConflict(IReadOnlyList<StatusCause> causes, string message) =>
        new(409, "Conflict", message, new StatusDetails(Causes: causes.Count > 0 ? causes : null));

    /// <summary>
    /// 422 Invalid: <c>Pod "x" is invalid: spec.containers: Required value</c> (one error), or
    /// <c>… is invalid: [a, b]</c> (several, duplicates dropped); causes carry type, body and field.
    /// </summary>
    public static StatusException Invalid(string group, string kind, string name, IReadOnlyList<FieldError> errors)
    {
        var causes = errors.Select(e => new StatusCause(e.Reason, e.ErrorBody, e.Field)).ToList();
        var qualified = Qualified(group, kind);
        var agg = FieldErrorList.AggregateMessage(errors);
        var message = agg.Length == 0
            ? $"{qualified} {GoFormat.Quote(name)} is invalid"
            : $"{qualified} {GoFormat.Quote(name)} is invalid: {agg}";
        return new StatusException(422, "Invalid", message, Details(group, kind, name, causes));
    }

    /// <summary>400 BadRequest with the message as given.</summary>
    public static StatusException BadRequest(string message) => new(400, "BadRequest", message);

    /// <summary>410 Gone with the message as given.</summary>
    public static StatusException Gone(string message) => new(410, "Gone", message);

    /// <summary>410 Expired with the message as given (upstream <c>NewResourceExpired</c>).</summary>
    public static StatusException Expired(string message) => new(410, "Expired", message);

    /// <summary>410 Expired: <c>too old resource version: 5 (10)</c> (watch cache: requested, oldest available − 1).</summary>
    public static StatusException TooOldResourceVersion(long requested, long oldest) =>
        Expired($"too old resource version: {requested} ({oldest})");

    /// <summary>410 Expired for a compacted watch start: <c>The resourceVersion for the provided watch is too old.</c></summary>
    public static StatusException WatchTooOld() => Expired("The resourceVersion for the provided watch is too old.");

    /// <summary>410 Expired for a compacted list: <c>The resourceVersion for the provided list is too old.</c></summary>
    public static StatusException ListTooOld() => Expired("The resourceVersion for the provided list is too old.");

    /// <summary>405 MethodNotAllowed: <c>create is not supported on resources of kind "pods"</c>.</summary>
    public static StatusException MethodNotAllowed(string group, string resource, string action) =>
        new(405, "MethodNotAllowed", $"{action} is not supported on resources of kind {GoFormat.Quote(Qualified(group, resource))}",
            Details(group, resource, ""));

    /// <summary>415 UnsupportedMediaType: <c>the body of the request was in an unknown format - accepted media types include: a, b</c>.</summary>
    public static StatusException UnsupportedMediaType(IEnumerable<string> accepted) =>
        new(415, "UnsupportedMediaType",
            "the body of the request was in an unknown format - accepted media types include: " + string.Join(", ", accepted));

    /// <summary>406 NotAcceptable: <c>only the following media types are accepted: a, b</c>.</summary>
    public static StatusException NotAcceptable(IEnumerable<string> accepted) =>
        new(406, "NotAcceptable", "only the following media types are accepted: " + string.Join(", ", accepted));

    /// <summary>406 NotAcceptable for a conversion target: <c>only the following media types are accepted when converting to Table: …</c>.</summary>
    public static StatusException NotAcceptableConversion(string target, IEnumerable<string> accepted) =>
        new(406, "NotAcceptable", $"only the following media types are accepted when converting to {target}: " + string.Join(", ", accepted));

    /// <summary>413 RequestEntityTooLarge: <c>Request entity too large: message</c>.</summary>
    public static StatusException RequestEntityTooLarge(string message) =>
        new(413, "RequestEntityTooLarge", "Request entity too large: " + message);

    /// <summary>401 Unauthorized; an empty reason gives <c>not authorized</c> (the apiserver itself says <c>Unauthorized</c>).</summary>
    public static StatusException Unauthorized(string reason = "Unauthorized") =>
        new(401, "Unauthorized", reason.Length == 0 ? "not authorized" : reason);

    /// <summary>
    /// 403 Forbidden: <c>pods "x" is forbidden: detail</c>, <c>pods is forbidden: detail</c> without a name, or
    /// <c>forbidden: detail</c> without a resource.
    /// </summary>
    public static StatusException Forbidden(string group, string resource, string name, string detail, IReadOnlyList<StatusCause>? causes = null)
    {
        string message;
        if (string.IsNullOrEmpty(group) && string.IsNullOrEmpty(resource))
        {
            message = "forbidden: " + detail;
        }
        else if (string.IsNullOrEmpty(name))
        {
            message = $"{Qualified(group, resource)} is forbidden: {detail}";
        }
        else
        {
            message = $"{Qualified(group, resource)} {GoFormat.Quote(name)} is forbidden: {detail}";
        }

        // Upstream always sends details for Forbidden, even when every field is empty.
        return new StatusException(403, "Forbidden", message, Details(group, resource, name, causes) ?? new StatusDetails());
    }

    /// <summary>
    /// 403 from NamespaceLifecycle admission: <c>pods "x" is forbidden: unable to create new content in namespace ns
    /// because it is being terminated</c>, with a <c>NamespaceTerminating</c> cause on <c>metadata.namespace</c>.
    /// </summary>
    public static StatusException NamespaceTerminating(string group, string resource, string name, string ns) =>
        Forbidden(group, resource, name, $"unable to create new content in namespace {ns} because it is being terminated",
            new[] { new StatusCause("NamespaceTerminating", $"namespace {ns} is being terminated", "metadata.namespace") });

    /// <summary>500 InternalError: <c>Internal error occurred: message</c>, the message also as the single cause.</summary>
    public static StatusException InternalError(string message) =>
        new(500, "InternalError", "Internal error occurred: " + message, new StatusDetails(Causes: new[] { new StatusCause("", message) }));

    /// <summary>504 Timeout: <c>Timeout: message</c>.</summary>
    public static StatusException Timeout(string message, int retryAfterSeconds = 0) =>
        new(504, "Timeout", "Timeout: " + message, new StatusDetails(RetryAfterSeconds: retryAfterSeconds > 0 ? retryAfterSeconds : null));

    /// <summary>500 ServerTimeout: <c>The get operation against pods could not be completed at this time, please try again.</c></summary>
    public static StatusException ServerTimeout(string group, string resource, string operation, int retryAfterSeconds) =>
        new(500, "ServerTimeout",
            $"The {operation} operation against {Qualified(group, resource)} could not be completed at this time, please try again.",
            Details(group, resource, operation, retryAfterSeconds: retryAfterSeconds));

    /// <summary>429 TooManyRequests: <c>Too many requests: message</c>.</summary>
    public static StatusException TooManyRequests(string message) => new(429, "TooManyRequests", "Too many requests: " + message);

    /// <summary>429 TooManyRequests with the message as given and a retry delay (upstream <c>NewTooManyRequests</c>).</summary>
    public static StatusException TooManyRequests(string message, int retryAfterSeconds) =>
        new(429, "TooManyRequests", message, new StatusDetails(RetryAfterSeconds: retryAfterSeconds > 0 ? retryAfterSeconds : null));

    /// <summary>503 ServiceUnavailable with the message as given.</summary>
    public static StatusException ServiceUnavailable(string message) => new(503, "ServiceUnavailable", message);

    /// <summary>
    /// 422 Invalid from upstream's <c>NewGenericServerResponse(422, …)</c>, used for JSON patches that do not apply:
    /// message <c>the server rejected our request due to an error in our request</c> (the detail is not shown), empty details.
    /// </summary>
    public static StatusException GenericUnprocessable() =>
        new(422, "Invalid", "the server rejected our request due to an error in our request", new StatusDetails());
}
