using System.Text.Json.Nodes;
using Skiff.ApiServer.OpenApi;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Http;

/// <summary>Unknown-field detection for fieldValidation and type checks of decoded objects, backed by the OpenAPI schemas.</summary>
public sealed class OpenApiUnknownFieldDetector(OpenApiService service) : IUnknownFieldDetector
{
    /// <inheritdoc/>
    public IReadOnlyList<string> FindUnknownFields(ResourceDescriptor resource, JsonObject obj) =>
        service.FindUnknownFields(resource.Group, resource.Version, resource.Kind, obj);

    /// <inheritdoc/>
    public string? FindFirstTypeError(ResourceDescriptor resource, JsonObject obj) =>
        service.FindFirstTypeError(resource.Group, resource.Version, resource.Kind, obj);
}
