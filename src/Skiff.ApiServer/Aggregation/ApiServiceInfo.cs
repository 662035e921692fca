using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Aggregation;

/// <summary>The parts of an APIService the aggregator acts on, read from its JSON.</summary>
/// <param name="Name">The object name (<c>version.group</c>).</param>
/// <param name="Group">spec.group.</param>
/// <param name="Version">spec.version.</param>
/// <param name="GroupPriorityMinimum">spec.groupPriorityMinimum.</param>
/// <param name="VersionPriority">spec.versionPriority.</param>
/// <param name="Service">spec.service, or null for a local APIService.</param>
/// <param name="CaBundle">spec.caBundle decoded (PEM or DER), empty when none.</param>
/// <param name="InsecureSkipTlsVerify">spec.insecureSkipTLSVerify.</param>
/// <param name="Available">Whether the Available condition is True.</param>
internal sealed record ApiServiceInfo(string Name, string Group, string Version, long GroupPriorityMinimum, long VersionPriority,
    ServiceReference? Service, byte[] CaBundle, bool InsecureSkipTlsVerify, bool Available)
{
    /// <summary>The label autoregistration marks the APIServices it owns with.</summary>
    public const string AutoManagedLabel = "kube-aggregator.kubernetes.io/automanaged";

    /// <summary>Reads <paramref name="obj"/>.</summary>
    public static ApiServiceInfo From(JsonObject obj)
    {
        ServiceReference? service = obj["spec"]?["service"] is JsonObject s
            ? new ServiceReference(JsonPath.Str(s, "namespace") ?? "", JsonPath.Str(s, "name") ?? "", (int)(JsonPath.Long(s, "port") ?? 443))
            : null;
        byte[] ca = [];
        if (JsonPath.Str(obj, "spec", "caBundle") is { Length: > 0 } b64)
        {
            try
            {
                ca = Convert.FromBase64String(b64);
            }
            catch (FormatException)
            {
                // Validation keeps this out; an unreadable bundle trusts nothing.
            }
        }

        var available = JsonPath.Objects(obj, "status", "conditions").Any(c => JsonPath.Str(c, "type") == "Available" && JsonPath.Str(c, "status") == "True");
        return new ApiServiceInfo(Meta.Name(obj), JsonPath.Str(obj, "spec", "group") ?? "", JsonPath.Str(obj, "spec", "version") ?? "",
            JsonPath.Long(obj, "spec", "groupPriorityMinimum") ?? 0, JsonPath.Long(obj, "spec", "versionPriority") ?? 0,
            service, ca, JsonPath.Bool(obj, "spec", "insecureSkipTLSVerify") == true, available);
    }

    /// <summary>The certificates of <see cref="CaBundle"/> (PEM, or a single DER certificate).</summary>
    public X509Certificate2Collection CaCertificates()
    {
        var bundle = new X509Certificate2Collection();
        if (CaBundle.Length == 0)
        {
            return bundle;
        }

        try
        {
            bundle.ImportFromPem(System.Text.Encoding.ASCII.GetString(CaBundle));
            if (bundle.Count == 0)
            {
                bundle.Add(X509CertificateLoader.LoadCertificate(CaBundle));
            }
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // An unreadable bundle trusts nothing.
        }

        return bundle;
    }

    /// <summary>The TLS server name upstream verifies the backend against: <c>name.namespace.svc</c>.</summary>
    public string? ServerName => Service is { } s ? $"{s.Name}.{s.Namespace}.svc" : null;
}

/// <summary>spec.service of an APIService.</summary>
/// <param name="Namespace">The Service's namespace.</param>
/// <param name="Name">The Service's name.</param>
/// <param name="Port">The Service port (default 443).</param>
internal sealed record ServiceReference(string Namespace, string Name, int Port);
