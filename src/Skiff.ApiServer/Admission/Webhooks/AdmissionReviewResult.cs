using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Admission.Webhooks;

/// <summary>A verified AdmissionReview response: allowed, the result Status, the JSON patch (mutating only), warnings and audit annotations.</summary>
/// <param name="Allowed">Whether the webhook admitted the request.</param>
/// <param name="Result">The response's <c>status</c>, or null.</param>
/// <param name="Patch">The decoded JSON patch, or null.</param>
/// <param name="Warnings">The response's warnings.</param>
public sealed record AdmissionReviewResult(bool Allowed, JsonObject? Result, JsonArray? Patch, IReadOnlyList<string> Warnings)
{
    /// <summary>The response's <c>auditAnnotations</c> (key → value), in the order sent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> AuditAnnotations { get; init; } = [];
}
