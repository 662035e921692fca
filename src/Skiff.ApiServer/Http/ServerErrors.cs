using Skiff.Api.Errors;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Http;

/// <summary>
/// The few API-server Status errors that Skiff.Api's <see cref="StatusErrors"/> does not cover, with upstream's
/// exact text: the mux's 404 page, invalid request options (apimachinery <c>ValidateListOptions</c> and friends
/// report <c>ListOptions.meta.k8s.io "" is invalid: …</c>) and the storage's "too large resource version".
/// </summary>
internal static class ServerErrors
{
    /// <summary>404 for a path no route serves: <c>the server could not find the requested resource</c> with empty details.</summary>
    public static StatusException PageNotFound() => new(404, "NotFound", "the server could not find the requested resource", new StatusDetails());

    /// <summary>
    /// 405 from the router for a method a route does not register (upstream's go-restful service error through
    /// <c>NewGenericServerResponse(405, …)</c>): <c>the server does not allow this method on the requested resource</c>, empty details.
    /// </summary>
    public static StatusException MethodNotAllowedOnRoute() =>
        new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", new StatusDetails());

    /// <summary>422 for invalid query options of kind <paramref name="kind"/> (ListOptions, DeleteOptions, PatchOptions…).</summary>
    public static StatusException InvalidOptions(string kind, IReadOnlyList<FieldError> errors) =>
        StatusErrors.Invalid("meta.k8s.io", kind, "", errors);

    /// <summary>504 Timeout: <c>Too large resource version: N, current: M</c> with a ResourceVersionTooLarge cause, retry after 1 s.</summary>
    public static StatusException TooLargeResourceVersion(long requested, long current) =>
        new(504, "Timeout", $"Too large resource version: {requested}, current: {current}",
            new StatusDetails(Causes: [new StatusCause("ResourceVersionTooLarge", "Too large resource version")], RetryAfterSeconds: 1));

    /// <summary>413 for a request body over the limit: <c>Request entity too large: limit is N</c>.</summary>
    public static StatusException BodyTooLarge(long limit) => StatusErrors.RequestEntityTooLarge($"limit is {limit}");
}
