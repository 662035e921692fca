namespace Skiff.Kubelet.Server;

/// <summary>A kubelet server request that fails with <see cref="StatusCode"/> and a plain-text message, as upstream's <c>WriteError</c>.</summary>
public sealed class KubeletRequestException(int statusCode, string message) : Exception(message)
{
    /// <summary>The HTTP status.</summary>
    public int StatusCode { get; } = statusCode;
}
