using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Webhooks;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// A CRD's <c>spec.conversion</c>: strategy <c>None</c> (only apiVersion changes) or <c>Webhook</c>, with the
/// webhook's clientConfig and the ConversionReview versions it accepts (the first of v1/v1beta1 is sent).
/// </summary>
/// <param name="Webhook">Whether the strategy is <c>Webhook</c>.</param>
/// <param name="ClientConfig">The webhook's client config (null for None).</param>
/// <param name="ReviewVersions">The conversionReviewVersions, preferred first.</param>
public sealed record CustomResourceConversion(bool Webhook, WebhookClientConfig? ClientConfig, IReadOnlyList<string> ReviewVersions)
{
    /// <summary>Conversion None.</summary>
    public static CustomResourceConversion None { get; } = new(false, null, []);

    /// <summary>Reads <c>spec.conversion</c> of <paramref name="crd"/>.</summary>
    public static CustomResourceConversion FromCrd(JsonObject crd)
    {
        var conversion = JsonPath.Obj(crd, "spec", "conversion");
        if (JsonPath.Str(conversion, "strategy") != "Webhook")
        {
            return None;
        }

        var versions = JsonPath.Arr(conversion, "webhook", "conversionReviewVersions")?.Select(JsonPath.AsString).OfType<string>().ToList() ?? [];
        return new CustomResourceConversion(true, WebhookClientConfig.FromJson(JsonPath.Obj(conversion, "webhook", "clientConfig")), versions);
    }
}
