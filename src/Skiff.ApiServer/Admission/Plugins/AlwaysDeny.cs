namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>Upstream's deprecated <c>AlwaysDeny</c>: rejects every write with its message.</summary>
public sealed class AlwaysDeny : IValidatingAdmissionPlugin
{
    /// <inheritdoc/>
    public string Name => "AlwaysDeny";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => true;

    /// <inheritdoc/>
    public ValueTask ValidateAsync(AdmissionAttributes attributes, CancellationToken ct) =>
        throw AdmissionErrors.Forbidden(attributes, "admission control is denying all modifications");
}
