using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Certificates;

/// <summary>
/// certificates.k8s.io/v1 certificatesigningrequests (storage, validation and printing; signing is a controller's
/// job): request and signerName required, the spec is immutable, status through <c>/status</c> and
/// <c>/approval</c>; field selector <c>spec.signerName</c>.
/// </summary>
public sealed class CertificateSigningRequestStrategy : ResourceStrategy
{
    private static readonly Dictionary<string, Func<JsonObject, string?>> Fields = new()
    {
        ["spec.signerName"] = o => JsonPath.Str(o, "spec", "signerName") ?? "",
    };

    /// <summary>The shared instance.</summary>
    public static CertificateSigningRequestStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyDictionary<string, Func<JsonObject, string?>> SelectableFields => Fields;

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        if (JsonPath.Str(obj, "spec", "request") is null or "")
        {
            yield return FieldError.Required("spec.request");
        }

        if (JsonPath.Str(obj, "spec", "signerName") is null or "")
        {
            yield return FieldError.Required("spec.signerName");
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj) =>
        ValidateCreate(newObj).Concat(Immutable(Core.PodStrategy.Normalize(newObj["spec"]), Core.PodStrategy.Normalize(oldObj["spec"]), "spec", "certificates.CertificateSigningRequestSpec{...}"));

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.Age,
            Columns.S("SignerName", "Requested signer for the request. It is a qualified name in the form: `scope-hostname.io/name`."),
            Columns.S("Requestor", "Base64-encoded PKCS#10 CSR data"),
            Columns.S("RequestedDuration", "expirationSeconds is the requested duration of validity of the issued certificate."),
            Columns.S("Condition", "Conditions applied to the request, such as approval or denial."),
        ],
        (o, now) =>
        {
            var types = JsonPath.Objects(o, "status", "conditions").Select(c => JsonPath.Str(c, "type")).ToHashSet();
            var status = types.Contains("Denied") ? "Denied" : types.Contains("Approved") ? "Approved" : "Pending";
            if (types.Contains("Failed"))
            {
                status += ",Failed";
            }

            if (JsonPath.Str(o, "status", "certificate") is { Length: > 0 })
            {
                status += ",Issued";
            }

            var duration = JsonPath.Long(o, "spec", "expirationSeconds") is { } s ? HumanDuration.Format(TimeSpan.FromSeconds(s)) : "<none>";
            return [JsonPath.Name(o), Cells.Age(o, now), JsonPath.Str(o, "spec", "signerName") is { Length: > 0 } sn ? sn : "<none>", JsonPath.Str(o, "spec", "username") ?? "", duration, status];
        });
}
