using Skiff.Api.Errors;
using Skiff.Api.Validation;
using Xunit;

namespace Skiff.Api.Tests.Errors;

public class StatusErrorsTests
{
    private static readonly System.Text.Json.JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Json(StatusException e) => e.ToStatus().ToJsonString(Relaxed);

    [Fact]
    public void NotFound_CoreGroup_UpstreamStatusJson()
    {
        var e = StatusErrors.NotFound("", "pods", "x");
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}""",
            Json(e));
    }

    [Fact]
    public void NotFound_NamedGroup_QualifiesResource()
    {
        var e = StatusErrors.NotFound("apps", "deployments", "x");
        Assert.Equal("deployments.apps \"x\" not found", e.Message);
        Assert.Equal("apps", e.Details!.Group);
    }

    [Fact]
    public void AlreadyExists_409()
    {
        var e = StatusErrors.AlreadyExists("", "configmaps", "c");
        Assert.Equal((409, "AlreadyExists", "configmaps \"c\" already exists"), (e.Code, e.Reason, e.Message));
    }

    [Fact]
    public void OptimisticLockConflict_UpstreamText()
    {
        var e = StatusErrors.OptimisticLockConflict("", "pods", "x");
        Assert.Equal("Operation cannot be fulfilled on pods \"x\": the object has been modified; please apply your changes to the latest version and try again", e.Message);
        Assert.Equal((409, "Conflict"), (e.Code, e.Reason));
    }

    [Fact]
    public void Invalid_OneError_NoBrackets_CausesInDetails()
    {
        var e = StatusErrors.Invalid("", "Pod", "x", new[] { FieldError.Required("spec.containers") });
        Assert.Equal("Pod \"x\" is invalid: spec.containers: Required value", e.Message);
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Pod \"x\" is invalid: spec.containers: Required value","reason":"Invalid","details":{"name":"x","kind":"Pod","causes":[{"reason":"FieldValueRequired","message":"Required value","field":"spec.containers"}]},"code":422}""",
            Json(e));
    }

    [Fact]
    public void Invalid_SeveralErrors_BracketedAndDeduplicated()
    {
        var errs = new[]
        {
            FieldError.Required("spec.containers"),
            FieldError.Invalid("metadata.name", "\"A\"", "bad"),
            FieldError.Required("spec.containers"),
        };
        var e = StatusErrors.Invalid("apps", "Deployment", "d", errs);
        Assert.Equal("Deployment.apps \"d\" is invalid: [spec.containers: Required value, metadata.name: Invalid value: \"A\": bad]", e.Message);
        Assert.Equal(3, e.Details!.Causes!.Count);
    }

    [Fact]
    public void Invalid_NoErrors_PlainMessage() =>
        Assert.Equal("Pod \"x\" is invalid", StatusErrors.Invalid("", "Pod", "x", Array.Empty<FieldError>()).Message);

    [Fact]
    public void Expired_TooOldResourceVersion()
    {
        var e = StatusErrors.TooOldResourceVersion(5, 10);
        Assert.Equal((410, "Expired", "too old resource version: 5 (10)"), (e.Code, e.Reason, e.Message));
        Assert.Equal((410, "Gone"), (StatusErrors.Gone("g").Code, StatusErrors.Gone("g").Reason));
    }

    [Fact]
    public void MethodNotAllowed_UpstreamText() =>
        Assert.Equal("create is not supported on resources of kind \"deployments.apps\"", StatusErrors.MethodNotAllowed("apps", "deployments", "create").Message);

    [Fact]
    public void MediaTypeErrors_UpstreamText()
    {
        var u = StatusErrors.UnsupportedMediaType(new[] { "application/json", "application/yaml" });
        Assert.Equal((415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml"), (u.Code, u.Reason, u.Message));
        var n = StatusErrors.NotAcceptable(new[] { "application/json" });
        Assert.Equal((406, "NotAcceptable", "only the following media types are accepted: application/json"), (n.Code, n.Reason, n.Message));
    }

    [Fact]
    public void Forbidden_Variants()
    {
        Assert.Equal("pods \"x\" is forbidden: nope", StatusErrors.Forbidden("", "pods", "x", "nope").Message);
        Assert.Equal("pods is forbidden: nope", StatusErrors.Forbidden("", "pods", "", "nope").Message);
        Assert.Equal("forbidden: nope", StatusErrors.Forbidden("", "", "", "nope").Message);
    }

    [Fact]
    public void NamespaceTerminating_ForbiddenWithCause()
    {
        var e = StatusErrors.NamespaceTerminating("", "configmaps", "c", "ns1");
        Assert.Equal("configmaps \"c\" is forbidden: unable to create new content in namespace ns1 because it is being terminated", e.Message);
        var cause = Assert.Single(e.Details!.Causes!);
        Assert.Equal(("NamespaceTerminating", "namespace ns1 is being terminated", "metadata.namespace"), (cause.Reason, cause.Message, cause.Field));
    }

    [Fact]
    public void InternalError_CauseWithoutReason()
    {
        var e = StatusErrors.InternalError("boom");
        Assert.Equal(
            """{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Internal error occurred: boom","reason":"InternalError","details":{"causes":[{"message":"boom"}]},"code":500}""",
            Json(e));
    }

    [Fact]
    public void OtherFactories_CodesReasonsMessages()
    {
        Assert.Equal((400, "BadRequest", "bad"), (StatusErrors.BadRequest("bad").Code, StatusErrors.BadRequest("bad").Reason, StatusErrors.BadRequest("bad").Message));
        Assert.Equal("Request entity too large: limit is 3145728", StatusErrors.RequestEntityTooLarge("limit is 3145728").Message);
        Assert.Equal((401, "Unauthorized"), (StatusErrors.Unauthorized().Code, StatusErrors.Unauthorized().Message));
        Assert.Equal((504, "Timeout: slow"), (StatusErrors.Timeout("slow").Code, StatusErrors.Timeout("slow").Message));
        Assert.Equal((429, "Too many requests: later"), (StatusErrors.TooManyRequests("later").Code, StatusErrors.TooManyRequests("later").Message));
    }
}
