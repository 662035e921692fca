using Microsoft.AspNetCore.Http;

namespace Skiff.ApiServer.Admission;

/// <summary>
/// Admission warnings on the response: appended as <c>Warning</c> headers at once and remembered in the request's
/// items, so an error response (which drops other warnings) still carries them, as upstream's does.
/// </summary>
internal static class AdmissionWarnings
{
    /// <summary>The <see cref="HttpContext.Items"/> key of the warning header values.</summary>
    public const string ItemKey = "skiff.admission.warnings";

    /// <summary>Appends one <c>Warning</c> header value (already in upstream's 299 format).</summary>
    public static void Add(HttpContext ctx, string header)
    {
        if (ctx.Items[ItemKey] is not List<string> list)
        {
            ctx.Items[ItemKey] = list = [];
        }

        list.Add(header);
        if (!ctx.Response.HasStarted)
        {
            ctx.Response.Headers.Append("Warning", header);
        }
    }
}
