namespace Skiff.Kubelet.Logs;

/// <summary>The stream a CRI log line came from.</summary>
public enum CriLogStream
{
    /// <summary>The container's standard output.</summary>
    Stdout,

    /// <summary>The container's standard error.</summary>
    Stderr,
}
