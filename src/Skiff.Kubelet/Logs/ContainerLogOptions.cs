namespace Skiff.Kubelet.Logs;

/// <summary>
/// How to read a container's log (upstream <c>PodLogOptions</c> as the kubelet applies it): <see cref="TailLines"/>
/// first (counted in file lines, as upstream), then <see cref="Since"/>, then <see cref="LimitBytes"/>.
/// </summary>
public sealed record ContainerLogOptions
{
    /// <summary>Keep reading as the container writes, until it stops running.</summary>
    public bool Follow { get; init; }

    /// <summary>Only lines written at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Prefix each line with its RFC 3339 (nanosecond) timestamp and a space.</summary>
    public bool Timestamps { get; init; }

    /// <summary>Start this many lines before the end (null: from the beginning).</summary>
    public long? TailLines { get; init; }

    /// <summary>Stop after this many bytes (null: no limit).</summary>
    public long? LimitBytes { get; init; }
}
