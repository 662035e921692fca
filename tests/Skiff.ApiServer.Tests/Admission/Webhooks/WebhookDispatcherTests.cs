using System.Text.Json.Nodes;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Admission.Policy;
using Skiff.ApiServer.Admission.Webhooks;
using Skiff.ApiServer.Security;
using Skiff.ApiServer.Webhooks;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission.Webhooks;

/// <summary>
/// Webhook matchConditions over the request (label keys with dots and slashes, the authorizer) and the
/// publication of a webhook's audit annotations as <c>&lt;webhook&gt;/&lt;key&gt;</c>.
/// </summary>
public sealed class WebhookDispatcherTests
{
    private static readonly AdmissionAttributes Request = new()
    {
        Operation = AdmissionOperation.Create,
        Group = "",
        Version = "v1",
        Resource = "pods",
        Kind = "Pod",
        Namespace = "ns",
        Name = "p",
        Object = JsonNode.Parse("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app.kubernetes.io/name":"web"}}}""")!.AsObject(),
        User = new UserInfo("alice", null, []),
    };

    public static TheoryData<string, bool?> Conditions => new()
    {
        // expression, holds (null: evaluation error)
        { "object.metadata.labels['app.kubernetes.io/name'] == 'web'", true },
        { "object.metadata.labels['app.kubernetes.io/name'] == 'db'", false },
        { "request.userInfo.username == 'alice' && request.options.kind == 'CreateOptions'", true },
        { "authorizer.group('').resource('pods').namespace('ns').check('create').allowed()", true },
        { "object.metadata.missing > 1", null },
    };

    [Theory]
    [MemberData(nameof(Conditions))]
    public void MatchConditions_SeeRawLabelKeysAndTheAuthorizer(string expression, bool? holds)
    {
        var hook = Hook($$"""{"name":"w.example.com","admissionReviewVersions":["v1"],"matchConditions":[{"name":"c","expression":{{JsonValue.Create(expression).ToJsonString()}}}]}""");
        var invocation = new WebhookInvocation(hook, "", "v1", "pods", "", "", "v1", "Pod");
        var review = AdmissionReviews.Request("u", "v1", invocation, Request, "", "v1");
        var authorizer = CelAuthorizer.For(Request); // no enforced authorization: allow-all
        if (holds is { } expected)
        {
            Assert.Equal(expected, WebhookDispatcher.ConditionsHold(invocation, review, authorizer));
            return;
        }

        var e = Assert.Throws<WebhookCallException>(() => WebhookDispatcher.ConditionsHold(invocation, review, authorizer));
        Assert.StartsWith($"failed to evaluate match conditions: expression '{expression}' resulted in error: ", e.Message, StringComparison.Ordinal);
        Assert.True(e.ConditionsNotMet);
    }

    [Fact]
    public void Annotate_PrefixesWithTheWebhookName_DropsKeysThatAreNotQualifiedNames()
    {
        var hook = Hook("""{"name":"w.example.com","admissionReviewVersions":["v1"]}""");
        var a = new AdmissionAttributes { Operation = AdmissionOperation.Create, Group = "", Version = "v1", Resource = "pods", Kind = "Pod" };
        var result = new AdmissionReviewResult(true, null, null, []) { AuditAnnotations = [new("checked", "yes"), new("bad key!", "x")] };

        WebhookDispatcher.Annotate(hook, result, a);

        Assert.Equal(new Dictionary<string, string> { ["w.example.com/checked"] = "yes" }, a.Annotations);
    }

    private static AdmissionWebhook Hook(string webhook) =>
        AdmissionWebhook.FromConfiguration(JsonNode.Parse($$"""{"metadata":{"name":"c"},"webhooks":[{{webhook}}]}""")!.AsObject(), false)[0];
}
