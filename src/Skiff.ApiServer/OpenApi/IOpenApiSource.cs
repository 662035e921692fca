namespace Skiff.ApiServer.OpenApi;

/// <summary>What the <c>/openapi/v3</c> endpoints serve: the discovery root and one document per group-version.</summary>
public interface IOpenApiSource
{
    /// <summary>The root document <c>{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=…"},…}}</c>.</summary>
    OpenApiDocument Root();

    /// <summary>The document of <paramref name="path"/> (<c>api/v1</c>, <c>apis/apps/v1</c>), or null when not served.</summary>
    OpenApiDocument? Document(string path);
}
