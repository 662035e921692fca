using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.AdmissionRegistration;

/// <summary>
/// admissionregistration.k8s.io/v1 <c>validatingwebhookconfigurations</c> and <c>mutatingwebhookconfigurations</c>
/// (upstream <c>pkg/registry/admissionregistration/*webhookconfiguration</c>): v1's defaults (failurePolicy Fail,
/// matchPolicy Equivalent, empty selectors, timeoutSeconds 10, rule scope <c>*</c>, service port 443, and for
/// mutating webhooks reinvocationPolicy Never), upstream's validation (<see cref="WebhookConfigurationValidation"/>),
/// generation moving with <c>webhooks</c>, and the printer <c>NAME WEBHOOKS AGE</c>.
/// </summary>
public sealed class WebhookConfigurationStrategy : ResourceStrategy
{
    private WebhookConfigurationStrategy(bool mutating) => Mutating = mutating;

    /// <summary>The strategy of ValidatingWebhookConfiguration.</summary>
    public static WebhookConfigurationStrategy Validating { get; } = new(false);

    /// <summary>The strategy of MutatingWebhookConfiguration.</summary>
    public static WebhookConfigurationStrategy MutatingInstance { get; } = new(true);

    /// <summary>Whether this is the mutating kind.</summary>
    public bool Mutating { get; }

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["webhooks"];

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        foreach (var hook in JsonPath.Objects(obj, "webhooks"))
        {
            JsonPath.DefaultString(hook, "failurePolicy", "Fail");
            JsonPath.DefaultString(hook, "matchPolicy", "Equivalent");
            JsonPath.Default(hook, "namespaceSelector", new JsonObject());
            JsonPath.Default(hook, "objectSelector", new JsonObject());
            JsonPath.Default(hook, "timeoutSeconds", 10);
            if (Mutating)
            {
                JsonPath.DefaultString(hook, "reinvocationPolicy", "Never");
            }

            foreach (var rule in JsonPath.Objects(hook, "rules"))
            {
                JsonPath.DefaultString(rule, "scope", "*");
            }

            if (JsonPath.Obj(hook, "clientConfig", "service") is { } service)
            {
                JsonPath.Default(service, "port", 443);
            }
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj) => WebhookConfigurationValidation.Validate(obj, null, Mutating);

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj) =>
        WebhookConfigurationValidation.Validate(newObj, oldObj, Mutating);

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.I("Webhooks", "Webhooks indicates the number of webhooks in the configuration"),
            Columns.Age,
        ],
        (o, now) => [JsonPath.Name(o), (long)(JsonPath.Arr(o, "webhooks")?.Count ?? 0), Cells.Age(o, now)]);
}
