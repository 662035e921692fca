using System.Text.Json.Nodes;
using Skiff.Api.Certificates;
using Skiff.Api.Validation;

namespace Skiff.ApiServer.Registry.Certificates;

/// <summary>
/// Upstream's <c>ValidateCertificateSigningRequestCreate</c> for certificates.k8s.io/v1: the request must be a
/// signed PEM <c>CERTIFICATE REQUEST</c>, usages given, known and unique, the signer name qualified and not the
/// legacy one, and <c>expirationSeconds</c> at least 600.
/// </summary>
internal static class CertificateSigningRequestValidation
{
    public static IEnumerable<FieldError> ValidateSpec(JsonObject obj)
    {
        var request = JsonPath.Str(obj, "spec", "request");
        if (request is null or "")
        {
            yield return FieldError.Required("spec.request");
        }
        else
        {
            byte[]? bytes;
            try
            {
                bytes = Convert.FromBase64String(request);
            }
            catch (FormatException)
            {
                bytes = null;
            }

            var error = "PEM block type must be CERTIFICATE REQUEST";
            if (bytes is null || ParsedCertificateRequest.TryParse(bytes, out error) is null)
            {
                yield return FieldError.Invalid("spec.request", null, error);
            }
        }

        var usages = JsonPath.Arr(obj, "spec", "usages");
        if (usages is null || usages.Count == 0)
        {
            yield return FieldError.Required("spec.usages", "usages must be provided");
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < usages.Count; i++)
            {
                var u = JsonPath.AsString(usages[i]) ?? "";
                if (!CertificateSigners.AllUsages.Contains(u))
                {
                    yield return FieldError.NotSupported($"spec.usages[{i}]", GoFormat.Quote(u), CertificateSigners.AllUsages.Select(GoFormat.Quote));
                }
                else if (!seen.Add(u))
                {
                    yield return FieldError.Duplicate($"spec.usages[{i}]", GoFormat.Quote(u));
                }
            }
        }

        var signer = JsonPath.Str(obj, "spec", "signerName");
        if (signer is null or "")
        {
            yield return FieldError.Required("spec.signerName");
        }
        else if (signer == CertificateSigners.LegacyUnknown)
        {
            yield return FieldError.Invalid("spec.signerName", GoFormat.Quote(signer), "the legacy signerName is not allowed via this API version");
        }
        else if (SignerNameError(signer) is { } detail)
        {
            yield return FieldError.Invalid("spec.signerName", GoFormat.Quote(signer), detail);
        }

        if (JsonPath.Long(obj, "spec", "expirationSeconds") is { } seconds && seconds < 600)
        {
            yield return FieldError.Invalid("spec.expirationSeconds", seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "may not specify a duration less than 600 seconds (10 minutes)");
        }
    }

    /// <summary>Upstream's <c>ValidateSignerName</c>, reduced: a DNS-subdomain domain, a slash, and a non-empty path.</summary>
    private static string? SignerNameError(string signer)
    {
        var slash = signer.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == signer.Length - 1)
        {
            return "must be a fully qualified domain and path of the form 'example.com/signer-name'";
        }

        var domain = signer[..slash];
        return Rules.CheckName(Rules.Dns1123Subdomain, domain, false) is { Count: > 0 } errors ? string.Join("; ", errors) : null;
    }
}
