using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Registry.Autoscaling;

/// <summary>Serves autoscaling/v1 HorizontalPodAutoscalers from their autoscaling/v2 storage (<see cref="HorizontalPodAutoscalerConversion"/>).</summary>
public sealed class HorizontalPodAutoscalerV1Converter : IVersionConverter
{
    /// <summary>The shared instance.</summary>
    public static HorizontalPodAutoscalerV1Converter Instance { get; } = new();

    /// <inheritdoc/>
    public ValueTask<JsonObject> ToServedAsync(JsonObject stored, CancellationToken ct) =>
        ValueTask.FromResult(HorizontalPodAutoscalerConversion.ToV1(stored));

    /// <inheritdoc/>
    public ValueTask<JsonObject> ToStorageAsync(JsonObject served, CancellationToken ct) =>
        ValueTask.FromResult(HorizontalPodAutoscalerConversion.ToV2(served));
}
