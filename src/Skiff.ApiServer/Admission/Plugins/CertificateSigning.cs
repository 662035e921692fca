using System.Text.Json.Nodes;
using Skiff.ApiServer.Authorization;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's <c>CertificateSigning</c> (<c>plugin/pkg/admission/certificates/signing</c>): an update through
/// <c>certificatesigningrequests/status</c> that changes <c>status.certificate</c> or <c>status.conditions</c> needs the
/// <c>sign</c> verb on <c>signers</c> for the stored request's signer (or its <c>&lt;domain&gt;/*</c>); else 403
/// <c>user not permitted to sign requests with signerName "X"</c>. A status write that changes neither passes.
/// </summary>
/// <param name="authorizer">The authorizer to ask (default: the request's; null allows everything).</param>
public sealed class CertificateSigning(Func<IAuthorizer?>? authorizer = null) : CertificateSignerAdmission("status", "sign", authorizer)
{
    /// <inheritdoc/>
    public override string Name => "CertificateSigning";

    /// <inheritdoc/>
    protected override bool Matters(JsonObject old, JsonObject obj) => !Same(old, obj, "certificate") || !Same(old, obj, "conditions");

    /// <summary>Upstream compares with (semantic) DeepEqual: an absent field and an empty one are the same.</summary>
    private static bool Same(JsonObject old, JsonObject obj, string field)
    {
        var a = old["status"]?[field];
        var b = obj["status"]?[field];
        return JsonNode.DeepEquals(Empty(a) ? null : a, Empty(b) ? null : b);

        static bool Empty(JsonNode? n) => n is null || n is JsonArray { Count: 0 } || (n is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0);
    }
}
