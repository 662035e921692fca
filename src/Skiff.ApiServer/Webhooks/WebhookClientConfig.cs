using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Webhooks;

/// <summary>
/// A webhook's <c>clientConfig</c> (admission webhooks and CRD conversion webhooks share it): either a <see cref="Url"/>
/// or a <see cref="Service"/>, and the PEM <see cref="CaBundle"/> that must have signed the serving certificate (the
/// system roots when absent).
/// </summary>
/// <param name="Url">The https URL, or null.</param>
/// <param name="Service">The Service reference, or null.</param>
/// <param name="CaBundle">The PEM CA bundle (decoded from base64), or null.</param>
public sealed record WebhookClientConfig(string? Url, WebhookServiceReference? Service, byte[]? CaBundle)
{
    /// <summary>Reads a <c>clientConfig</c> object (null gives an empty config, which fails when called).</summary>
    public static WebhookClientConfig FromJson(JsonObject? clientConfig)
    {
        byte[]? ca = null;
        if (JsonPath.Str(clientConfig, "caBundle") is { Length: > 0 } b64)
        {
            try
            {
                ca = Convert.FromBase64String(b64);
            }
            catch (FormatException)
            {
                ca = [];
            }
        }

        WebhookServiceReference? service = null;
        if (JsonPath.Obj(clientConfig, "service") is { } s)
        {
            service = new WebhookServiceReference(JsonPath.Str(s, "namespace") ?? "", JsonPath.Str(s, "name") ?? "",
                (int)(JsonPath.Long(s, "port") ?? 443), JsonPath.Str(s, "path") is { Length: > 0 } p ? p : "/");
        }

        return new WebhookClientConfig(JsonPath.Str(clientConfig, "url"), service, ca);
    }

    /// <summary>The URL as upstream prints it in errors: the url, or <c>https://name.namespace.svc:port/path</c>.</summary>
    public string DisplayUrl => Url ?? (Service is { } s ? $"https://{s.ServerName}:{s.Port}{(s.Path.StartsWith('/') ? s.Path : "/" + s.Path)}" : "");

    /// <summary>A key naming this config's connection settings (one pooled client per key).</summary>
    public string PoolKey
    {
        get
        {
            var ca = CaBundle is null ? "-" : Convert.ToHexString(SHA256.HashData(CaBundle));
            var target = Url is { } u ? new Uri(u).GetLeftPart(UriPartial.Authority) : Service is { } s ? $"svc:{s.Namespace}/{s.Name}:{s.Port}" : "";
            return target + "|" + ca;
        }
    }
}
