using System.Net;
using k8s.Models;

namespace Skiff.Client.Rest;

/// <summary>
/// An API request failed with a <c>metav1.Status</c> (client-go <c>errors.StatusError</c>). When the server sent no
/// Status, one is synthesised from the HTTP code, as client-go's <c>NewGenericServerResponse</c> does.
/// </summary>
public sealed class KubernetesApiException : Exception
{
    public KubernetesApiException(V1Status status, Exception? inner = null)
        : base(string.IsNullOrEmpty(status.Message) ? $"the server responded with {status.Code} {status.Reason}" : status.Message, inner)
    {
        Status = status;
    }

    /// <summary>The Status the server returned (or a synthesised one).</summary>
    public V1Status Status { get; }

    /// <summary>The HTTP code (<c>status.code</c>).</summary>
    public HttpStatusCode Code => (HttpStatusCode)(Status.Code ?? 0);

    /// <summary>The machine-readable reason (NotFound, AlreadyExists, Conflict, Invalid, Expired, …).</summary>
    public string Reason => Status.Reason ?? "";

    public bool IsNotFound => ReasonOrCode("NotFound", 404);

    public bool IsAlreadyExists => ReasonOrCode("AlreadyExists", -1);

    public bool IsConflict => ReasonOrCode("Conflict", 409);

    public bool IsInvalid => ReasonOrCode("Invalid", 422);

    /// <summary><c>410 Gone</c> with reason Gone.</summary>
    public bool IsGone => ReasonOrCode("Gone", 410);

    /// <summary>The requested resourceVersion is too old (reason Expired, 410): relist.</summary>
    public bool IsResourceExpired => Reason == "Expired";

    public bool IsTooManyRequests => ReasonOrCode("TooManyRequests", 429);

    public bool IsForbidden => ReasonOrCode("Forbidden", 403);

    public bool IsUnauthorized => ReasonOrCode("Unauthorized", 401);

    public bool IsBadRequest => ReasonOrCode("BadRequest", 400);

    public bool IsTimeout => ReasonOrCode("Timeout", 504);

    /// <summary>Builds the Status client-go would report for a response without a Status body.</summary>
    public static V1Status StatusFromCode(int code, string? message = null)
    {
        var reason = code switch
        {
            400 => "BadRequest",
            401 => "Unauthorized",
            403 => "Forbidden",
            404 => "NotFound",
            405 => "MethodNotAllowed",
            406 => "NotAcceptable",
            409 => "Conflict",
            410 => "Gone",
            413 => "RequestEntityTooLarge",
            415 => "UnsupportedMediaType",
            422 => "Invalid",
            429 => "TooManyRequests",
            500 => "InternalError",
            503 => "ServiceUnavailable",
            504 => "Timeout",
            _ => "Unknown",
        };
        return new V1Status
        {
            ApiVersion = "v1",
            Kind = "Status",
            Status = "Failure",
            Code = code,
            Reason = reason,
            Message = string.IsNullOrEmpty(message) ? $"the server responded with the status code {code} but did not return more information" : message,
        };
    }

    // client-go: a known reason decides; an unknown/empty reason falls back to the HTTP code.
    private bool ReasonOrCode(string reason, int code)
        => Reason == reason || ((Reason.Length == 0 || Reason == "Unknown") && (int)Code == code);
}
