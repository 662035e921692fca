namespace Skiff.Kubelet.Logs;

/// <summary>
/// Where container logs live (upstream's <c>/var/log/pods</c> layout, written by the runtime in the CRI log format
/// <c>2016-10-06T00:17:09.669794202Z stdout F message</c>): the kubelet passes
/// <see cref="PodDirectory"/> as the sandbox's LogDirectory and <see cref="ContainerLogRelative"/> as each
/// container's LogPath; the log server reads the same paths.
/// </summary>
public static class PodLogPaths
{
    /// <summary><c>ROOT/NAMESPACE_NAME_UID</c>.</summary>
    public static string PodDirectory(string root, string ns, string name, string uid) => Path.Combine(root, $"{ns}_{name}_{uid}");

    /// <summary><c>CONTAINER/RESTARTCOUNT.log</c>, relative to the pod directory.</summary>
    public static string ContainerLogRelative(string container, int restartCount) =>
        Path.Combine(container, restartCount.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".log");
}
