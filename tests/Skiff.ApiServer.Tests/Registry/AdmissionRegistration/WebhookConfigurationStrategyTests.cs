using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry.AdmissionRegistration;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.AdmissionRegistration;

/// <summary>Webhook configurations: v1 defaults and upstream's validation messages.</summary>
public sealed class WebhookConfigurationStrategyTests
{
    private static JsonObject Config(string hooks) => JsonNode.Parse($$"""{"metadata":{"name":"c"},"webhooks":{{hooks}}}""")!.AsObject();

    private static List<string> Errors(WebhookConfigurationStrategy s, JsonObject obj)
    {
        s.ApplyDefaults(obj);
        return s.ValidateCreate(obj).Select(e => e.ToString()).ToList();
    }

    [Fact]
    public void Defaults_AreUpstreamV1()
    {
        var obj = Config("""[{"name":"a.b.c","sideEffects":"None","admissionReviewVersions":["v1"],"clientConfig":{"service":{"namespace":"n","name":"s"}},"rules":[{"operations":["CREATE"],"apiGroups":[""],"apiVersions":["v1"],"resources":["pods"]}]}]""");
        Assert.Empty(Errors(WebhookConfigurationStrategy.MutatingInstance, obj));
        var hook = obj["webhooks"]![0]!;
        Assert.Equal("Fail", (string?)hook["failurePolicy"]);
        Assert.Equal("Equivalent", (string?)hook["matchPolicy"]);
        Assert.Equal(10, (int)hook["timeoutSeconds"]!);
        Assert.Equal("Never", (string?)hook["reinvocationPolicy"]);
        Assert.Equal("{}", hook["namespaceSelector"]!.ToJsonString());
        Assert.Equal("{}", hook["objectSelector"]!.ToJsonString());
        Assert.Equal("*", (string?)hook["rules"]![0]!["scope"]);
        Assert.Equal(443, (int)hook["clientConfig"]!["service"]!["port"]!);
    }

    [Fact]
    public void Validation_UpstreamMessages()
    {
        var obj = Config("""
            [{"name":"short","admissionReviewVersions":["v2"],"timeoutSeconds":31,"clientConfig":{"url":"http://x/y?q=1"},
              "rules":[{"operations":["CREATE","*"],"apiGroups":[""],"apiVersions":["v1"],"resources":["*","pods"]}]},
             {"name":"a.b.c","sideEffects":"Some","admissionReviewVersions":["v1"],"clientConfig":{}},
             {"name":"a.b.c","sideEffects":"None","admissionReviewVersions":["v1"],"clientConfig":{"service":{"namespace":"n","name":"s","path":"noslash"}}}]
            """);
        var errors = Errors(WebhookConfigurationStrategy.Validating, obj);
        Assert.Contains("webhooks[0].name: Invalid value: \"short\": should be a domain with at least three segments separated by dots", errors);
        Assert.Contains("webhooks[0].rules[0].operations: Invalid value: []string{\"CREATE\", \"*\"}: if '*' is present, must not specify other operations", errors);
        Assert.Contains("webhooks[0].rules[0].resources: Invalid value: []string{\"*\", \"pods\"}: if '*' is present, must not specify other resources without subresources", errors);
        Assert.Contains("webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun", errors);
        Assert.Contains("webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds", errors);
        Assert.Contains("webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]", errors);
        Assert.Contains("webhooks[0].clientConfig.url: Invalid value: \"q=1\": query parameters are not permitted in the URL", errors);
        Assert.Contains("webhooks[0].admissionReviewVersions: Invalid value: []string{\"v2\"}: must include at least one of v1, v1beta1", errors);
        Assert.Contains("webhooks[1].sideEffects: Unsupported value: \"Some\": supported values: \"None\", \"NoneOnDryRun\"", errors);
        Assert.Contains("webhooks[1].clientConfig: Required value: exactly one of url or service is required", errors);
        Assert.Contains("webhooks[2].clientConfig.service.path: Invalid value: \"noslash\": must start with a '/'", errors);
        Assert.Contains("webhooks[2].name: Duplicate value: \"a.b.c\"", errors);
    }
}
