namespace Skiff.Kubelet.Env;

/// <summary>A downward API reference that cannot be evaluated (an unsupported field path or resource, a container name
/// not in the pod); the message is upstream's.</summary>
public sealed class DownwardApiException(string message) : Exception(message);
