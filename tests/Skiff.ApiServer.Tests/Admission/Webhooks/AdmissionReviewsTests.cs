using System.Text.Json.Nodes;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Admission.Policy;
using Skiff.ApiServer.Admission.Webhooks;
using Skiff.ApiServer.Security;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission.Webhooks;

/// <summary>
/// The one AdmissionRequest builder (webhook review and policy <c>request</c> variable) and the verified response's
/// audit annotations.
/// </summary>
public sealed class AdmissionReviewsTests
{
    private static AdmissionAttributes Create(JsonObject? options = null) => new()
    {
        Operation = AdmissionOperation.Create,
        Group = "apps",
        Version = "v1",
        Resource = "deployments",
        Kind = "Deployment",
        Namespace = "ns",
        Object = new JsonObject { ["apiVersion"] = "apps/v1", ["kind"] = "Deployment" },
        User = new UserInfo("alice", null, ["devs"]),
        Options = options,
    };

    [Fact]
    public void PolicyRequest_HasOptionsAndEmptyNameButNoObjects()
    {
        var request = PolicyValues.Request(Create());
        Assert.Equal("", (string?)request["name"]);
        Assert.Equal("ns", (string?)request["namespace"]);
        Assert.Equal("""{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1"}""", request["options"]!.ToJsonString());
        Assert.False(request.ContainsKey("object"));
        Assert.Equal("CREATE", (string?)request["operation"]);
        Assert.Equal("alice", (string?)request["userInfo"]!["username"]);
    }

    [Fact]
    public void WebhookRequest_SendsTheRequestsOptions_OmitsEmptyName_IncludesObjects()
    {
        var a = Create(new JsonObject { ["kind"] = "CreateOptions", ["apiVersion"] = "meta.k8s.io/v1", ["fieldManager"] = "kubectl" });
        var hook = AdmissionWebhook.FromConfiguration(JsonNode.Parse("""{"metadata":{"name":"c"},"webhooks":[{"name":"w.example.com","admissionReviewVersions":["v1"]}]}""")!.AsObject(), false)[0];
        var invocation = new WebhookInvocation(hook, "apps", "v1", "deployments", "", "apps", "v1", "Deployment");
        var request = AdmissionReviews.Request("uid-1", "v1", invocation, a, "apps", "v1")["request"]!.AsObject();
        Assert.False(request.ContainsKey("name"));
        Assert.Equal("kubectl", (string?)request["options"]!["fieldManager"]);
        Assert.Equal("Deployment", (string?)request["object"]!["kind"]);
        Assert.Null(request["oldObject"]);
    }

    [Fact]
    public void Verify_ReadsAuditAnnotations()
    {
        var review = JsonNode.Parse("""
            {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview",
             "response":{"uid":"u","allowed":true,"auditAnnotations":{"checked":"yes","by":"test"}}}
            """)!.AsObject();
        var result = AdmissionReviews.Verify(review, "u", "v1", mutating: false);
        Assert.Equal([new("checked", "yes"), new KeyValuePair<string, string>("by", "test")], result.AuditAnnotations);
    }
}
