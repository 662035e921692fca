namespace Skiff.ApiServer.Admission;

/// <summary>
/// A mutating plugin (upstream's <c>admission.MutationInterface</c>): may change <see cref="AdmissionAttributes.Object"/>
/// in place, or reject by throwing a <see cref="Skiff.Api.Errors.StatusException"/>. Mutating plugins run before any
/// validating one, in upstream's order.
/// </summary>
public interface IMutatingAdmissionPlugin : IAdmissionPlugin
{
    /// <summary>Admits (and may mutate) one request.</summary>
    ValueTask AdmitAsync(AdmissionAttributes attributes, CancellationToken ct);
}
