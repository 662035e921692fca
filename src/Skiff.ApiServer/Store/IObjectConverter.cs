using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Store;

/// <summary>
/// The store's conversion seam (upstream's per-resource converter in the storage codec): objects decoded from
/// storage are converted to the served version before anything sees them, and objects written in a version other
/// than the storage version are converted to it before they are encoded. Without a converter the store keeps its
/// conversion <c>None</c> (only <c>apiVersion</c> is rewritten).
/// </summary>
internal interface IObjectConverter
{
    /// <summary>
    /// Converts <paramref name="objects"/> (each in any version of the kind) to <paramref name="apiVersion"/>, in one
    /// batch; objects already in that version come back unchanged. Failures are <see cref="Skiff.Api.Errors.StatusException"/>s;
    /// <paramref name="forWrite"/> selects upstream's wording of a failed write (InternalError) over a failed read.
    /// </summary>
    ValueTask<IReadOnlyList<JsonObject>> ConvertAsync(IReadOnlyList<JsonObject> objects, string apiVersion, bool forWrite, CancellationToken ct);
}
