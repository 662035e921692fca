using Skiff.Api.Errors;

namespace Skiff.ApiServer.Admission;

/// <summary>Upstream's <c>admission.NewForbidden</c>: 403 <c>pods "x" is forbidden: detail</c> for the admitted object.</summary>
public static class AdmissionErrors
{
    /// <summary>403 Forbidden naming the resource and object of <paramref name="a"/>.</summary>
    public static StatusException Forbidden(AdmissionAttributes a, string detail, IReadOnlyList<StatusCause>? causes = null) =>
        StatusErrors.Forbidden(a.Group, a.Resource, a.Name, detail, causes);

    /// <summary>Upstream's <c>utilerrors.NewAggregate</c> text: one message as is, several as <c>[a, b]</c>.</summary>
    public static string Aggregate(IReadOnlyList<string> messages) =>
        messages.Count == 1 ? messages[0] : "[" + string.Join(", ", messages) + "]";
}
