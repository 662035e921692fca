using System.Globalization;
using k8s.Models;
using Skiff.Client.Events;

namespace Skiff.Kubelet.Events;

/// <summary>
/// The kubelet's events with upstream's reasons and messages (<c>pkg/kubelet/events/event.go</c>; the message formats
/// of kubelet 1.32's <c>kuberuntime</c>, <c>images</c> and node status setters). Container events name the container in
/// <c>involvedObject.fieldPath</c> (<c>spec.containers{NAME}</c> or <c>spec.initContainers{NAME}</c>); node events are
/// about the Node with the node name as uid, as upstream's node reference. Every event is written by the
/// <see cref="EventRecorder"/> (source component <c>kubelet</c>, host the node name) in the background; without a
/// recorder nothing is recorded.
/// </summary>
internal sealed class KubeletEvents(EventRecorder? recorder)
{
    public const string Created = "Created";
    public const string Started = "Started";
    public const string Failed = "Failed";
    public const string Killing = "Killing";
    public const string BackOff = "BackOff";
    public const string Pulling = "Pulling";
    public const string Pulled = "Pulled";
    public const string ErrImageNeverPull = "ErrImageNeverPull";
    public const string FailedMount = "FailedMount";
    public const string SandboxChanged = "SandboxChanged";
    public const string FailedCreatePodSandBox = "FailedCreatePodSandBox";
    public const string FailedPreStopHook = "FailedPreStopHook";
    public const string Starting = "Starting";
    public const string NodeReady = "NodeReady";
    public const string NodeNotReady = "NodeNotReady";
    public const string NodeAllocatableEnforced = "NodeAllocatableEnforced";
    public const string FailedSync = "FailedSync";
    public const string ExceededGracePeriod = "ExceededGracePeriod";

    /// <summary>The <c>involvedObject.fieldPath</c> of a container of <paramref name="pod"/> (upstream's container reference).</summary>
    public static string FieldPath(V1Pod pod, string container) =>
        (pod.Spec.InitContainers ?? []).Any(c => c.Name == container) ? $"spec.initContainers{{{container}}}"
        : (pod.Spec.EphemeralContainers ?? []).Any(c => c.Name == container) ? $"spec.ephemeralContainers{{{container}}}"
        : $"spec.containers{{{container}}}";

    /// <summary>upstream's <c>format.Pod</c>: <c>NAME_NAMESPACE(UID)</c>.</summary>
    public static string PodDescription(V1Pod pod) => $"{pod.Metadata.Name}_{pod.Metadata.NamespaceProperty}({pod.Metadata.Uid})";

    public void ContainerCreated(V1Pod pod, string container) => Container(pod, container, EventRecorder.Normal, Created, "Created container " + container);

    public void ContainerStarted(V1Pod pod, string container) => Container(pod, container, EventRecorder.Normal, Started, "Started container " + container);

    /// <summary><c>Failed</c> "Error: MESSAGE" (a container that could not be created or started, or an image error's reason).</summary>
    public void ContainerFailed(V1Pod pod, string container, string message) => Container(pod, container, EventRecorder.Warning, Failed, "Error: " + message);

    /// <summary><c>Killing</c>: "Stopping container C", or why it is restarted (a failed liveness or startup probe).</summary>
    public void ContainerKilling(V1Pod pod, string container, string? probeKind) =>
        Container(pod, container, EventRecorder.Normal, Killing, probeKind is null
            ? "Stopping container " + container
            : $"Container {container} failed {probeKind.ToLowerInvariant()} probe, will be restarted");

    public void PreStopHookFailed(V1Pod pod, string container, string error) =>
        Container(pod, container, EventRecorder.Warning, FailedPreStopHook, "PreStopHook failed: " + error);

    /// <summary>CrashLoopBackOff: <c>BackOff</c> "Back-off restarting failed container C in pod NAME_NS(UID)".</summary>
    public void CrashBackOff(V1Pod pod, string container) =>
        Container(pod, container, EventRecorder.Warning, BackOff, $"Back-off restarting failed container {container} in pod {PodDescription(pod)}");

    /// <summary><c>Pulled</c> "Container image "X" already present on machine".</summary>
    public void ImagePresent(V1Pod pod, string container, string image) =>
        Container(pod, container, EventRecorder.Normal, Pulled, $"Container image \"{image}\" already present on machine");

    public void ImagePulling(V1Pod pod, string container, string image) => Container(pod, container, EventRecorder.Normal, Pulling, $"Pulling image \"{image}\"");

    /// <summary><c>Pulled</c> "Successfully pulled image "X" in 1.2s (1.2s including waiting). Image size: N bytes.".</summary>
    public void ImagePulled(V1Pod pod, string container, string image, TimeSpan took, ulong size) =>
        Container(pod, container, EventRecorder.Normal, Pulled,
            $"Successfully pulled image \"{image}\" in {GoDuration(took)} ({GoDuration(took)} including waiting). Image size: {size.ToString(CultureInfo.InvariantCulture)} bytes.");

    /// <summary>A failed pull: <c>Failed</c> "Failed to pull image "X": ERROR", then <c>Failed</c> "Error: ErrImagePull".</summary>
    public void ImagePullFailed(V1Pod pod, string container, string image, string error)
    {
        Container(pod, container, EventRecorder.Warning, Failed, $"Failed to pull image \"{image}\": {error}");
        ContainerFailed(pod, container, "ErrImagePull");
    }

    /// <summary>In pull backoff: <c>BackOff</c> (Normal, as upstream) "Back-off pulling image "X"", then <c>Failed</c> "Error: ImagePullBackOff".</summary>
    public void ImagePullBackOff(V1Pod pod, string container, string image)
    {
        Container(pod, container, EventRecorder.Normal, BackOff, $"Back-off pulling image \"{image}\"");
        ContainerFailed(pod, container, "ImagePullBackOff");
    }

    /// <summary>imagePullPolicy Never and no image: <c>ErrImageNeverPull</c>, then <c>Failed</c> "Error: ErrImageNeverPull".</summary>
    public void ImageNeverPull(V1Pod pod, string container, string message)
    {
        Container(pod, container, EventRecorder.Warning, ErrImageNeverPull, message);
        ContainerFailed(pod, container, "ErrImageNeverPull");
    }

    /// <summary><c>FailedMount</c> "MountVolume.SetUp failed for volume "V" : ERROR".</summary>
    public void MountFailed(V1Pod pod, string? volume, string error) =>
        recorder?.Event(pod, null, EventRecorder.Warning, FailedMount, volume is null ? "MountVolume.SetUp failed: " + error : $"MountVolume.SetUp failed for volume \"{volume}\" : {error}");

    public void SandboxChangedEvent(V1Pod pod) =>
        recorder?.Event(pod, null, EventRecorder.Normal, SandboxChanged, "Pod sandbox changed, it will be killed and re-created.");

    public void SandboxFailed(V1Pod pod, string error) =>
        recorder?.Event(pod, null, EventRecorder.Warning, FailedCreatePodSandBox, "Failed to create pod sandbox: " + error);

    /// <summary>The kubelet started: <c>Starting</c> "Starting kubelet.".</summary>
    public void KubeletStarting(string node) => recorder?.Event(NodeReference(node), null, EventRecorder.Normal, Starting, "Starting kubelet.");

    /// <summary>
    /// The container manager applied the node's allocatable (upstream's <c>enforceNodeAllocatableCgroups</c> at start):
    /// <c>NodeAllocatableEnforced</c> "Updated Node Allocatable limit across pods".
    /// </summary>
    public void AllocatableEnforced(string node) =>
        recorder?.Event(NodeReference(node), null, EventRecorder.Normal, NodeAllocatableEnforced, "Updated Node Allocatable limit across pods");

    /// <summary>
    /// The pod worker could not read the pod's runtime status (upstream's pod worker, the one <c>FailedSync</c> left in
    /// 1.32): <c>FailedSync</c> "error determining status: ERROR".
    /// </summary>
    public void SyncFailed(V1Pod pod, string error) =>
        recorder?.Event(pod, null, EventRecorder.Warning, FailedSync, "error determining status: " + error);

    /// <summary>
    /// A kill the kubelet waited for did not finish in time (upstream's <c>killPodNow</c>, used by node shutdown and
    /// eviction): <c>ExceededGracePeriod</c> "Container runtime did not kill the pod within specified grace period.".
    /// </summary>
    public void GracePeriodExceeded(V1Pod pod) =>
        recorder?.Event(pod, null, EventRecorder.Warning, ExceededGracePeriod, "Container runtime did not kill the pod within specified grace period.");

    /// <summary>A node condition reached a new state: REASON "Node N status is now: REASON" (NodeHasSufficientMemory, NodeReady...).</summary>
    public void NodeStatus(string node, string reason) =>
        recorder?.Event(NodeReference(node), null, EventRecorder.Normal, reason, $"Node {node} status is now: {reason}");

    /// <summary>The event reason upstream's node status setters record when condition <paramref name="type"/> becomes <paramref name="status"/>; null for others.</summary>
    public static string? NodeConditionReason(string type, string status) => (type, status) switch
    {
        ("Ready", "True") => NodeReady,
        ("Ready", _) => NodeNotReady,
        ("MemoryPressure", "False") => "NodeHasSufficientMemory",
        ("MemoryPressure", "True") => "NodeHasInsufficientMemory",
        ("DiskPressure", "False") => "NodeHasNoDiskPressure",
        ("DiskPressure", "True") => "NodeHasDiskPressure",
        ("PIDPressure", "False") => "NodeHasSufficientPID",
        ("PIDPressure", "True") => "NodeHasInsufficientPID",
        _ => null,
    };

    /// <summary>Go's <c>time.Duration.String()</c> for the pull time (e.g. <c>1.234s</c>, <c>450ms</c>).</summary>
    public static string GoDuration(TimeSpan t) =>
        t >= TimeSpan.FromSeconds(1) ? t.TotalSeconds.ToString("0.#########", CultureInfo.InvariantCulture) + "s"
        : t >= TimeSpan.FromMilliseconds(1) ? t.TotalMilliseconds.ToString("0.######", CultureInfo.InvariantCulture) + "ms"
        : ((long)(t.Ticks * 100)).ToString(CultureInfo.InvariantCulture) + "ns";

    private void Container(V1Pod pod, string container, string type, string reason, string message) =>
        recorder?.Event(pod, FieldPath(pod, container), type, reason, message);

    private static V1Node NodeReference(string node) => new()
    {
        ApiVersion = "v1",
        Kind = "Node",
        Metadata = new V1ObjectMeta { Name = node, Uid = node },
    };
}
