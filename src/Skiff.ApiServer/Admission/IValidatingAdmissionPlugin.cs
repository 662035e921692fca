namespace Skiff.ApiServer.Admission;

/// <summary>
/// A validating plugin (upstream's <c>admission.ValidationInterface</c>): must not change the object; rejects by
/// throwing a <see cref="Skiff.Api.Errors.StatusException"/>. Runs after every mutating plugin and after the
/// resource's own validation, right before the write.
/// </summary>
public interface IValidatingAdmissionPlugin : IAdmissionPlugin
{
    /// <summary>Validates one request.</summary>
    ValueTask ValidateAsync(AdmissionAttributes attributes, CancellationToken ct);
}
