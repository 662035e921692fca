namespace Skiff.ApiServer.Admission;

/// <summary>What a plugin is built with (upstream's plugin initializers): the reader over the store, and the clock.</summary>
/// <param name="Reader">Reads (and, for ResourceQuota, writes) the objects plugins consult.</param>
/// <param name="Clock">The clock (PodSecurity's audit annotations, quota status times).</param>
public sealed record AdmissionPluginContext(AdmissionReader Reader, TimeProvider Clock);
