using Skiff.Api.Errors;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.Admission.Plugins;

/// <summary>
/// Upstream's <c>NamespaceLifecycle</c> (<c>apiserver/pkg/admission/plugin/namespace/lifecycle</c>): the immortal
/// namespaces (default, kube-system, kube-public) may not be deleted; a namespaced write into a namespace that does
/// not exist is 404 <c>namespaces "x" not found</c>; nothing new may be created in a terminating namespace (403 with
/// the <c>NamespaceTerminating</c> cause). Writes to namespaces themselves and to access reviews pass.
/// </summary>
public sealed class NamespaceLifecycle(AdmissionReader reader) : IMutatingAdmissionPlugin
{
    /// <summary>The namespaces upstream never lets be deleted.</summary>
    public static IReadOnlySet<string> Immortal { get; } = new HashSet<string>(StringComparer.Ordinal) { "default", "kube-system", "kube-public" };

    /// <inheritdoc/>
    public string Name => "NamespaceLifecycle";

    /// <inheritdoc/>
    public bool Handles(AdmissionOperation operation) => operation is AdmissionOperation.Create or AdmissionOperation.Update or AdmissionOperation.Delete;

    /// <inheritdoc/>
    public async ValueTask AdmitAsync(AdmissionAttributes a, CancellationToken ct)
    {
        var isNamespace = a.Group.Length == 0 && a.Resource == "namespaces";
        if (a.Operation == AdmissionOperation.Delete && isNamespace && Immortal.Contains(a.Name))
        {
            throw AdmissionErrors.Forbidden(a, "this namespace may not be deleted");
        }

        if (a.Namespace.Length == 0 || isNamespace || (a.Group == "authorization.k8s.io" && a.Resource == "localsubjectaccessreviews"))
        {
            return;
        }

        var ns = await reader.GetAsync("", "namespaces", "", a.Namespace, ct).ConfigureAwait(false)
            ?? throw StatusErrors.NotFound("", "namespaces", a.Namespace);
        if (a.Operation != AdmissionOperation.Create)
        {
            return;
        }

        if (Meta.Str(ns, "deletionTimestamp") is not null || ns["status"]?["phase"]?.GetValue<string>() == "Terminating")
        {
            throw StatusErrors.NamespaceTerminating(a.Group, a.Resource, a.Name, a.Namespace);
        }
    }
}
