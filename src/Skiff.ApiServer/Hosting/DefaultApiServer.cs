using Skiff.ApiServer.Http;
using Skiff.ApiServer.OpenApi;
using Skiff.ApiServer.Registry;
using Skiff.Storage;

namespace Skiff.ApiServer.Hosting;

/// <summary>
/// Builds the default API server's options — the built-in resource catalogue, the OpenAPI service (documents and patch
/// schemas) and OpenAPI-driven unknown-field detection, the watch cache on — the one wiring shared by the <c>skiff</c>
/// binary and the test control plane. Adjust the result with <c>with</c>.
/// </summary>
public static class DefaultApiServer
{
    /// <summary>
    /// Options serving <paramref name="resources"/> (default: a fresh built-in catalogue, whose service allocators are
    /// per server) from <paramref name="storage"/>, with the data directory <paramref name="dataDirectory"/>.
    /// </summary>
    public static ApiServerOptions CreateOptions(string dataDirectory, IStorage storage, IEnumerable<ResourceDescriptor>? resources = null)
    {
        var served = (resources ?? BuiltInResources.Create(new BuiltInResourceOptions())).ToList();
        var openApi = new OpenApiService(served);
        return new ApiServerOptions
        {
            DataDirectory = dataDirectory,
            Storage = storage,
            Resources = served,
            OpenApi = openApi,
            Schemas = openApi,
            UnknownFieldDetector = new OpenApiUnknownFieldDetector(openApi),
            WatchCache = true,
        };
    }

    /// <summary>
    /// Precomputes the OpenAPI documents of <paramref name="options"/> in the background (the first <c>kubectl</c>
    /// call is then fast); a no-op when they are not the default service.
    /// </summary>
    public static Task WarmAsync(ApiServerOptions options, CancellationToken ct) =>
        options.OpenApi is OpenApiService service ? service.WarmAsync(ct) : Task.CompletedTask;
}
