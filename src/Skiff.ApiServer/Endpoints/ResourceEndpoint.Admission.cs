using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Admission;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.Endpoints;

internal sealed partial class ResourceEndpoint
{
    /// <summary>
    /// The admission of one request to <paramref name="d"/> (null when no plugin is enabled): warnings the plugins add
    /// become this response's <c>Warning</c> headers.
    /// </summary>
    private AdmissionRequest? AdmissionFor(HttpContext ctx, ResourceDescriptor d, string ns, string subresource, UserInfo? user, bool dryRun,
        string? kind = null)
    {
        if (_admission.Plugins.Count == 0)
        {
            return null;
        }

        return new AdmissionRequest
        {
            Chain = _admission,
            Group = d.Group,
            Version = d.Version,
            Resource = d.Resource,
            Subresource = subresource,
            Kind = kind ?? d.Kind,
            Namespace = ns,
            User = user,
            DryRun = dryRun,
            FieldManager = ctx.Request.Query["fieldManager"].FirstOrDefault(),
            FieldValidation = ctx.Request.Query["fieldValidation"].FirstOrDefault(),
            Warn = text => Admission.AdmissionWarnings.Add(ctx, WarningHeader(text.Length > MaxWarningLength ? text[..MaxWarningLength] + "…" : text)),
        };
    }

    /// <summary>
    /// Runs both admission phases for a request no store writes as such: a subresource create (binding, eviction)
    /// or a connect (exec, attach, portforward, proxy).
    /// </summary>
    internal async Task AdmitDirectAsync(HttpContext ctx, ResourceDescriptor d, string ns, string name, string subresource, AdmissionOperation operation,
        string kind, JsonObject? obj, UserInfo? user, CancellationToken ct)
    {
        if (AdmissionFor(ctx, d, ns, subresource, user, QueryDryRun(ctx), kind) is not { } admission || !_admission.Handles(operation))
        {
            return;
        }

        await _admission.RunAsync(admission.Attributes(operation, obj, null, name), ct).ConfigureAwait(false);
    }
}
