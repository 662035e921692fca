using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Registry.AdmissionRegistration;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// Upstream's <c>validateCustomResourceConversion</c>: strategy None or Webhook; Webhook requires a client config with
/// exactly one of url or service and conversionReviewVersions including v1 or v1beta1; None forbids both. Field paths
/// are upstream's internal ones (<c>spec.conversion.webhookClientConfig</c>, <c>spec.conversion.conversionReviewVersions</c>).
/// </summary>
public static class CrdConversionValidation
{
    private static readonly string[] Strategies = ["None", "Webhook"];
    private static readonly string[] ReviewVersions = ["v1", "v1beta1"];

    /// <summary>The errors of the CRD's <c>spec.conversion</c>.</summary>
    public static IEnumerable<FieldError> Validate(JsonObject crd)
    {
        if (JsonPath.Obj(crd, "spec", "conversion") is not { } conversion)
        {
            yield break;
        }

        const string Path = "spec.conversion";
        var strategy = JsonPath.Str(conversion, "strategy") ?? "";
        var clientConfig = JsonPath.Obj(conversion, "webhook", "clientConfig");
        var versions = JsonPath.Arr(conversion, "webhook", "conversionReviewVersions");
        if (!Strategies.Contains(strategy))
        {
            yield return strategy.Length == 0 ? FieldError.Required(Path + ".strategy") : FieldError.NotSupported(Path + ".strategy", Rules.Q(strategy), Strategies);
            yield break;
        }

        if (strategy == "None")
        {
            if (clientConfig is not null)
            {
                yield return FieldError.Forbidden(Path + ".webhookClientConfig", "should not be set when strategy is not set to Webhook");
            }

            if (versions is { Count: > 0 })
            {
                yield return FieldError.Forbidden(Path + ".conversionReviewVersions", "should not be set when strategy is not set to Webhook");
            }

            yield break;
        }

        if (clientConfig is null)
        {
            yield return FieldError.Required(Path + ".webhookClientConfig", "required when strategy is set to Webhook");
        }
        else
        {
            foreach (var e in WebhookConfigurationValidation.ValidateClientConfig(clientConfig, Path + ".webhookClientConfig"))
            {
                yield return e;
            }
        }

        if (versions is not { Count: > 0 })
        {
            yield return FieldError.Required(Path + ".conversionReviewVersions", "must specify one of " + string.Join(", ", ReviewVersions));
            yield break;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < versions.Count; i++)
        {
            var v = JsonPath.AsString(versions[i]) ?? "";
            if (!seen.Add(v))
            {
                yield return FieldError.Invalid($"{Path}.conversionReviewVersions[{i}]", Rules.Q(v), "duplicate version");
            }
        }

        if (!seen.Any(ReviewVersions.Contains))
        {
            yield return FieldError.Invalid(Path + ".conversionReviewVersions", Rules.QList(seen), "must include at least one of " + string.Join(", ", ReviewVersions));
        }
    }
}
