using Microsoft.AspNetCore.Http;

namespace Skiff.ApiServer.Http;

/// <summary>
/// A pluggable non-resource endpoint (for example <c>/openapi/v3</c>). Called for authenticated requests before the
/// built-in routes; return true when the request was handled (the response written).
/// </summary>
public interface IHttpExtension
{
    /// <summary>Handles <paramref name="context"/> if it is this extension's; false otherwise.</summary>
    Task<bool> TryHandleAsync(HttpContext context, CancellationToken ct);
}
