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

    /// <summary>Upstream does not care what a request is called (kubelets use base64url digests): any path segment.</summary>
    public override IReadOnlyList<string> ValidateName(string name, bool prefix) => Rules.PathSegmentName(name);

    /// <summary>
    /// Upstream's <c>csrStrategy.PrepareForCreate</c>: the status is cleared and the requesting user (name, uid,
    /// groups, extra) is recorded in the spec, whatever the client sent. The server's own writes keep the spec.
    /// </summary>
    public override void PrepareForCreate(JsonObject obj)
    {
        base.PrepareForCreate(obj);
        if (Authorization.RequestAuthorization.Current?.User is not { } user || obj["spec"] is not JsonObject spec)
        {
            return;
        }

        user.WriteTo(spec, Security.UserInfoJsonOptions.AlwaysGroups);
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj) => CertificateSigningRequestValidation.ValidateSpec(obj);

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateUpdate(JsonObject newObj, JsonObject oldObj) =>
        ValidateCreate(newObj).Concat(Immutable(Core.PodStrategy.Normalize(newObj["spec"]), Core.PodStrategy.Normalize(oldObj["spec"]), "spec", "certificates.CertificateSigningRequestSpec{...}"));

    /// <summary>
    /// A status update (signers) keeps the spec and the approval: Approved and Denied conditions are carried over from
    /// the stored object, as upstream's <c>csrStatusStrategy</c>.
    /// </summary>
    public override void PrepareForStatusUpdate(JsonObject newObj, JsonObject oldObj)
    {
        base.PrepareForStatusUpdate(newObj, oldObj);
        var approval = Conditions(oldObj).Where(c => IsApprovalType(JsonPath.Str(c, "type")));
        var others = Conditions(newObj).Where(c => !IsApprovalType(JsonPath.Str(c, "type")));
        SetConditions(newObj, [.. approval.Select(c => c.DeepClone()), .. others.Select(c => c.DeepClone())], oldObj);
    }

    /// <summary>
    /// <c>approval</c> (<c>kubectl certificate approve|deny</c>) changes only <c>status.conditions</c>; everything else is
    /// the stored object's (upstream <c>csrApprovalStrategy</c>).
    /// </summary>
    public override void PrepareForSubresourceUpdate(string subresource, JsonObject newObj, JsonObject oldObj)
    {
        var conditions = Conditions(newObj).Select(c => c.DeepClone()).ToList();
        foreach (var key in newObj.Select(p => p.Key).ToArray())
        {
            if (key != "metadata")
            {
                newObj.Remove(key);
            }
        }

        foreach (var (key, value) in oldObj)
        {
            if (key != "metadata")
            {
                newObj[key] = value?.DeepClone();
            }
        }

        SetConditions(newObj, conditions, oldObj);
    }

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateStatusUpdate(JsonObject newObj, JsonObject oldObj) => ValidateConditions(newObj, oldObj);

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateSubresourceUpdate(string subresource, JsonObject newObj, JsonObject oldObj) => ValidateConditions(newObj, oldObj);

    /// <summary>Upstream's <c>validateConditions</c> plus "updates may not remove" an Approved, Denied or Failed condition.</summary>
    private static IEnumerable<FieldError> ValidateConditions(JsonObject newObj, JsonObject oldObj)
    {
        var conditions = Conditions(newObj).ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < conditions.Count; i++)
        {
            var path = $"status.conditions[{i}]";
            var type = JsonPath.Str(conditions[i], "type") ?? "";
            var status = JsonPath.Str(conditions[i], "status") ?? "";
            if (type.Length == 0)
            {
                yield return FieldError.Required(path + ".type");
            }
            else if (!seen.Add(type))
            {
                yield return FieldError.Duplicate(path + ".type", GoFormat.Quote(type));
            }

            if (type is "Approved" or "Denied" or "Failed" && status != "True")
            {
                yield return FieldError.NotSupported(path + ".status", GoFormat.Quote(status), ["True"]);
            }
            else if (status is not ("True" or "False" or "Unknown"))
            {
                yield return status.Length == 0
                    ? FieldError.Required(path + ".status")
                    : FieldError.NotSupported(path + ".status", GoFormat.Quote(status), ["False", "True", "Unknown"]);
            }
        }

        if (seen.Contains("Approved") && seen.Contains("Denied"))
        {
            yield return FieldError.Invalid("status.conditions", "", "Approved and Denied conditions are mutually exclusive");
        }

        foreach (var t in new[] { "Approved", "Denied", "Failed" })
        {
            if (Conditions(newObj).Count(c => JsonPath.Str(c, "type") == t) < Conditions(oldObj).Count(c => JsonPath.Str(c, "type") == t))
            {
                yield return FieldError.Forbidden("status.conditions", $"updates may not remove a condition of type \"{t}\"");
            }
        }
    }

    private static bool IsApprovalType(string? type) => type is "Approved" or "Denied";

    private static IEnumerable<JsonObject> Conditions(JsonObject obj) => JsonPath.Objects(obj, "status", "conditions");

    /// <summary>Sets the conditions, filling lastUpdateTime and lastTransitionTime as upstream's
    /// <c>populateConditionTimestamps</c> (a transition time kept while the status stays the same).</summary>
    private static void SetConditions(JsonObject obj, List<JsonNode> conditions, JsonObject oldObj)
    {
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        foreach (var c in conditions.OfType<JsonObject>())
        {
            if (JsonPath.Str(c, "lastUpdateTime") is null or "")
            {
                c["lastUpdateTime"] = now;
            }

            if (JsonPath.Str(c, "lastTransitionTime") is null or "")
            {
                var previous = Conditions(oldObj).FirstOrDefault(o => JsonPath.Str(o, "type") == JsonPath.Str(c, "type"));
                c["lastTransitionTime"] = previous is not null && JsonPath.Str(previous, "status") == JsonPath.Str(c, "status")
                    && JsonPath.Str(previous, "lastTransitionTime") is { Length: > 0 } kept ? kept : now;
            }
        }

        if (obj["status"] is not JsonObject status)
        {
            if (conditions.Count == 0)
            {
                return;
            }

            status = new JsonObject();
            obj["status"] = status;
        }

        if (conditions.Count == 0)
        {
            status.Remove("conditions");
        }
        else
        {
            status["conditions"] = new JsonArray([.. conditions]);
        }
    }

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
