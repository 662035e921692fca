namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>stub</summary>
public sealed class PodSecurity(AdmissionReader reader) : IValidatingAdmissionPlugin
{
    /// <inheritdoc/>
    public string Name => "PodSecurity";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => reader is null;

    /// <inheritdoc/>
    public ValueTask ValidateAsync(AdmissionAttributes attributes, CancellationToken ct) => ValueTask.CompletedTask;
}
