using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's <c>DefaultStorageClass</c> (<c>plugin/pkg/admission/storage/storageclass/setdefault</c>): a
/// PersistentVolumeClaim created without <c>spec.storageClassName</c> (absent, not empty) gets the default
/// StorageClass, the one annotated <c>storageclass.kubernetes.io/is-default-class: "true"</c> (or the beta
/// annotation); with several, the newest (then the first by name), as upstream since 1.28.
/// </summary>
public sealed class DefaultStorageClass(AdmissionReader reader) : IMutatingAdmissionPlugin
{
    private static readonly string[] DefaultAnnotations = ["storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"];

    /// <inheritdoc/>
    public string Name => "DefaultStorageClass";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => operation == AdmissionOperation.Create;

    /// <inheritdoc/>
    public async ValueTask AdmitAsync(AdmissionAttributes a, CancellationToken ct)
    {
        if (!a.IsCore("persistentvolumeclaims") || a.Object is not { } pvc)
        {
            return;
        }

        var spec = JsonPath.Ensure(pvc, "spec");
        if (spec["storageClassName"] is not null)
        {
            return;
        }

        var classes = await reader.ListAsync("storage.k8s.io", "storageclasses", "", ct).ConfigureAwait(false);
        var chosen = classes
            .Where(c => DefaultAnnotations.Any(k => JsonPath.Str(c, "metadata", "annotations", k) == "true"))
            .OrderByDescending(c => JsonPath.Str(c, "metadata", "creationTimestamp") ?? "", StringComparer.Ordinal)
            .ThenBy(c => JsonPath.Name(c), StringComparer.Ordinal)
            .FirstOrDefault();
        if (chosen is not null)
        {
            spec["storageClassName"] = JsonPath.Name(chosen);
        }
    }
}
