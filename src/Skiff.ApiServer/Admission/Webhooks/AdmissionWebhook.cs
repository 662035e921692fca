using System.Text.Json.Nodes;
using Skiff.Api.Selectors;
using Skiff.ApiServer.Admission.Policy;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Webhooks;

namespace Skiff.ApiServer.Admission.Webhooks;

/// <summary>
/// One webhook of a Validating/MutatingWebhookConfiguration, read once per stored revision of its configuration:
/// rules, matchPolicy, parsed selectors, compiled matchConditions (CEL, through the custom-resource CEL engine),
/// sideEffects, failurePolicy, timeout (default 10 s), reinvocationPolicy, admissionReviewVersions and clientConfig.
/// </summary>
public sealed class AdmissionWebhook
{
    private AdmissionWebhook(string configuration, JsonObject hook, bool mutating)
    {
        Configuration = configuration;
        Name = JsonPath.Str(hook, "name") ?? "";
        Mutating = mutating;
        Rules = JsonPath.Objects(hook, "rules").Select(WebhookRule.FromJson).ToList();
        MatchPolicy = JsonPath.Str(hook, "matchPolicy") ?? "Equivalent";
        FailurePolicy = JsonPath.Str(hook, "failurePolicy") ?? "Fail";
        SideEffects = JsonPath.Str(hook, "sideEffects");
        Timeout = TimeSpan.FromSeconds(JsonPath.Long(hook, "timeoutSeconds") ?? 10);
        ReinvokeIfNeeded = JsonPath.Str(hook, "reinvocationPolicy") == "IfNeeded";
        ReviewVersions = JsonPath.Arr(hook, "admissionReviewVersions")?.Select(JsonPath.AsString).OfType<string>().ToList() ?? [];
        ClientConfig = WebhookClientConfig.FromJson(JsonPath.Obj(hook, "clientConfig"));
        NamespaceSelector = LabelSelector.FromJsonOrNothing(JsonPath.Obj(hook, "namespaceSelector"), out var nsError);
        ObjectSelector = LabelSelector.FromJsonOrNothing(JsonPath.Obj(hook, "objectSelector"), out var objError);
        SelectorError = nsError ?? objError;
        MatchConditions = JsonPath.Objects(hook, "matchConditions")
            .Select(c => (JsonPath.Str(c, "name") ?? "", new PolicyExpression(JsonPath.Str(c, "expression") ?? ""))).ToList();
    }

    /// <summary>The configuration's name.</summary>
    public string Configuration { get; }

    /// <summary>The webhook's name (a fully qualified name).</summary>
    public string Name { get; }

    /// <summary>A mutating webhook.</summary>
    public bool Mutating { get; }

    /// <summary>The rules.</summary>
    public IReadOnlyList<WebhookRule> Rules { get; }

    /// <summary><c>Equivalent</c> or <c>Exact</c>.</summary>
    public string MatchPolicy { get; }

    /// <summary><c>Fail</c> or <c>Ignore</c>.</summary>
    public string FailurePolicy { get; }

    /// <summary>Whether failures to call the webhook are ignored.</summary>
    public bool IgnoreFailures => FailurePolicy == "Ignore";

    /// <summary>The sideEffects class (null when unset).</summary>
    public string? SideEffects { get; }

    /// <summary>The call's timeout.</summary>
    public TimeSpan Timeout { get; }

    /// <summary><c>reinvocationPolicy: IfNeeded</c>.</summary>
    public bool ReinvokeIfNeeded { get; }

    /// <summary>The AdmissionReview versions the webhook accepts, preferred first.</summary>
    public IReadOnlyList<string> ReviewVersions { get; }

    /// <summary>Where the webhook is.</summary>
    public WebhookClientConfig ClientConfig { get; }

    /// <summary>The namespace selector.</summary>
    public LabelSelector NamespaceSelector { get; }

    /// <summary>The object selector.</summary>
    public LabelSelector ObjectSelector { get; }

    /// <summary>A selector that did not parse (the webhook then fails per its failurePolicy), or null.</summary>
    public string? SelectorError { get; }

    /// <summary>The match conditions: name and compiled expression.</summary>
    public IReadOnlyList<(string Name, PolicyExpression Expression)> MatchConditions { get; }

    /// <summary>The webhooks of one configuration object, in order.</summary>
    public static IReadOnlyList<AdmissionWebhook> FromConfiguration(JsonObject configuration, bool mutating)
    {
        var name = JsonPath.Name(configuration);
        return JsonPath.Objects(configuration, "webhooks").Select(h => new AdmissionWebhook(name, h, mutating)).ToList();
    }
}
