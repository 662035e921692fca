using System.Text.Json.Nodes;
using Skiff.ApiServer.Authorization;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's <c>CertificateSigning</c> (<c>plugin/pkg/admission/certificates/signing</c>): an update through
/// <c>certificatesigningrequests/status</c> that changes <c>status.certificate</c> or <c>status.conditions</c> needs the
/// <c>sign</c> verb on <c>signers</c> for the stored request's signer (or its <c>&lt;domain&gt;/*</c>); else 403
/// <c>user not permitted to sign requests with signerName "X"</c>. A status write that changes neither passes.
/// </summary>
/// <param name="authorizer">The authorizer to ask (default: the request's; null allows everything).</param>
public sealed class CertificateSigning(Func<IAuthorizer?>? authorizer = null) : IValidatingAdmissionPlugin
{
    private readonly Func<IAuthorizer?> _authorizer = authorizer ?? CertificateSignerAuthorization.RequestAuthorizer;

    /// <inheritdoc/>
    public string Name => "CertificateSigning";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => operation == AdmissionOperation.Update;

    /// <inheritdoc/>
    public ValueTask ValidateAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (a.Subresource != "status" || a.Group != "certificates.k8s.io" || a.Resource != "certificatesigningrequests")
        {
            return ValueTask.CompletedTask;
        }

        if (a.OldObject is not { } old)
        {
            throw AdmissionErrors.Forbidden(a, "expected type CertificateSigningRequest, got: <nil>");
        }

        if (a.Object is not { } obj)
        {
            throw AdmissionErrors.Forbidden(a, "expected type CertificateSigningRequest, got: <nil>");
        }

        if (Same(old, obj, "certificate") && Same(old, obj, "conditions"))
        {
            return ValueTask.CompletedTask;
        }

        var signer = JsonPath.Str(old, "spec", "signerName") ?? "";
        if (!CertificateSignerAuthorization.IsAuthorized(_authorizer(), a.User, "sign", signer))
        {
            throw AdmissionErrors.Forbidden(a, $"user not permitted to sign requests with signerName \"{signer}\"");
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Upstream compares with DeepEqual: an absent field and an empty one are the same (nil vs empty slice after decoding).</summary>
    private static bool Same(JsonObject old, JsonObject obj, string field)
    {
        var a = old["status"]?[field];
        var b = obj["status"]?[field];
        return JsonNode.DeepEquals(Empty(a) ? null : a, Empty(b) ? null : b);

        static bool Empty(JsonNode? n) => n is null || (n is JsonArray { Count: 0 }) || (n is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0);
    }
}
