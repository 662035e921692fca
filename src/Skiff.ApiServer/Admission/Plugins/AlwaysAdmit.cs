namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>Upstream's deprecated <c>AlwaysAdmit</c>: admits everything.</summary>
public sealed class AlwaysAdmit : IValidatingAdmissionPlugin
{
    /// <inheritdoc/>
    public string Name => "AlwaysAdmit";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => false;

    /// <inheritdoc/>
    public ValueTask ValidateAsync(AdmissionAttributes attributes, CancellationToken ct) => ValueTask.CompletedTask;
}
