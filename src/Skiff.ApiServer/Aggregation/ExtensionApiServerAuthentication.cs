using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Skiff.Api.Errors;
using Skiff.ApiServer.Endpoints;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Aggregation;

/// <summary>
/// Publishes <c>kube-system/extension-apiserver-authentication</c> (upstream's ClusterAuthenticationTrustController):
/// <c>client-ca-file</c> (the CAs whose client certificates this server trusts) and, with request-header
/// authentication on, <c>requestheader-client-ca-file</c>, <c>requestheader-allowed-names</c>,
/// <c>requestheader-username-headers</c>, <c>requestheader-group-headers</c> and
/// <c>requestheader-extra-headers-prefix</c> (JSON string arrays), so an extension API server can authenticate the
/// aggregator and the users it passes on. The bootstrap role <c>extension-apiserver-authentication-reader</c> reads it.
/// </summary>
public static class ExtensionApiServerAuthentication
{
    /// <summary>The ConfigMap's namespace.</summary>
    public const string Namespace = "kube-system";

    /// <summary>The ConfigMap's name.</summary>
    public const string Name = "extension-apiserver-authentication";

    /// <summary>The ConfigMap's data for the given trust.</summary>
    public static JsonObject Data(ClusterCertificates certificates, X509Certificate2Collection clientCas, RequestHeaderAuthenticator? requestHeader)
    {
        var data = new JsonObject { ["client-ca-file"] = Pem([certificates.Ca, .. clientCas]) };
        if (requestHeader is not null)
        {
            var s = requestHeader.Settings;
            data["requestheader-client-ca-file"] = Pem([.. requestHeader.ClientCas]);
            data["requestheader-allowed-names"] = Json(s.AllowedNames);
            data["requestheader-username-headers"] = Json(s.UsernameHeaders);
            data["requestheader-group-headers"] = Json(s.GroupHeaders);
            data["requestheader-extra-headers-prefix"] = Json(s.ExtraHeaderPrefixes);
        }

        return data;
    }

    /// <summary>Creates or updates the ConfigMap with <paramref name="data"/>.</summary>
    internal static async Task PublishAsync(ResourceRegistry registry, ResourceEndpoint endpoint, JsonObject data, CancellationToken ct)
    {
        if (registry.Find("", "v1", "configmaps") is not { } descriptor)
        {
            return;
        }

        var store = endpoint.StoreFor(descriptor);
        try
        {
            await store.UpdateDirectAsync(Namespace, Name, o => o["data"] = data.DeepClone(), ct).ConfigureAwait(false);
        }
        catch (StatusException e) when (e.Code == 404)
        {
            var obj = new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "ConfigMap",
                ["metadata"] = new JsonObject { ["name"] = Name, ["namespace"] = Namespace },
                ["data"] = data.DeepClone(),
            };
            try
            {
                await store.CreateAsync(Namespace, obj, new WriteOptions(false, "kube-apiserver"), ct).ConfigureAwait(false);
            }
            catch (StatusException conflict) when (conflict.Code == 409)
            {
                await store.UpdateDirectAsync(Namespace, Name, o => o["data"] = data.DeepClone(), ct).ConfigureAwait(false);
            }
        }
    }

    private static string Pem(IEnumerable<X509Certificate2> certificates) =>
        string.Concat(certificates.Select(c => c.ExportCertificatePem() + "\n"));

    private static string Json(IReadOnlyList<string> values) => new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray()).ToJsonString();
}
