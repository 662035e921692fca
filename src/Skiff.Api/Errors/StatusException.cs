using System.Text.Json.Nodes;

namespace Skiff.Api.Errors;

/// <summary>
/// A failure that the API answers with an upstream-shaped <c>metav1.Status</c>
/// (apimachinery <c>pkg/api/errors</c>): HTTP code, machine-readable reason, human message and details.
/// </summary>
public sealed class StatusException : Exception
{
    public StatusException(int code, string reason, string message, StatusDetails? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    /// <summary>The HTTP status code (404, 409, 422, …).</summary>
    public int Code { get; }

    /// <summary>The <c>reason</c> field (NotFound, AlreadyExists, Conflict, Invalid, …); empty for none.</summary>
    public string Reason { get; }

    /// <summary>The <c>details</c> field, when there are any.</summary>
    public StatusDetails? Details { get; }

    /// <summary>The <c>Status</c> object, as upstream serializes it.</summary>
    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
        };
        if (Reason.Length > 0)
        {
            status["reason"] = Reason;
        }

        if (Details is not null)
        {
            status["details"] = Details.ToJson();
        }

        status["code"] = Code;
        return status;
    }
}

/// <summary>The <c>details</c> of a Status: which object, and for Invalid the field-level causes.</summary>
public sealed record StatusDetails(
    string? Name = null,
    string? Group = null,
    string? Kind = null,
    string? Uid = null,
    IReadOnlyList<StatusCause>? Causes = null,
    int? RetryAfterSeconds = null)
{
    public JsonObject ToJson()
    {
        var o = new JsonObject();
        if (!string.IsNullOrEmpty(Name)) o["name"] = Name;
        if (!string.IsNullOrEmpty(Group)) o["group"] = Group;
        if (!string.IsNullOrEmpty(Kind)) o["kind"] = Kind;
        if (!string.IsNullOrEmpty(Uid)) o["uid"] = Uid;
        if (Causes is { Count: > 0 })
        {
            var arr = new JsonArray();
            foreach (var c in Causes)
            {
                arr.Add(c.ToJson());
            }

            o["causes"] = arr;
        }

        if (RetryAfterSeconds is { } r) o["retryAfterSeconds"] = r;
        return o;
    }
}

/// <summary>One cause of a Status: <c>reason</c> (FieldValueInvalid, …), <c>message</c>, <c>field</c> path.</summary>
public sealed record StatusCause(string Reason, string Message, string? Field = null)
{
    public JsonObject ToJson()
    {
        var o = new JsonObject();
        if (Reason.Length > 0) o["reason"] = Reason;
        if (Message.Length > 0) o["message"] = Message;
        if (!string.IsNullOrEmpty(Field)) o["field"] = Field;
        return o;
    }
}
