namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>stub</summary>
public sealed class LimitRanger(AdmissionReader reader) : IValidatingAdmissionPlugin
{
    /// <inheritdoc/>
    public string Name => "LimitRanger";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => reader is null;

    /// <inheritdoc/>
    public ValueTask ValidateAsync(AdmissionAttributes attributes, CancellationToken ct) => ValueTask.CompletedTask;
}
