namespace Skiff.ApiServer.OpenApi;

/// <summary>What <c>GET /openapi/v2</c> serves: the Swagger 2.0 document of the live resource set.</summary>
public interface IOpenApiV2Source
{
    /// <summary>The current document (built on first use, rebuilt after the resource set changes).</summary>
    OpenApiV2Document V2();
}
