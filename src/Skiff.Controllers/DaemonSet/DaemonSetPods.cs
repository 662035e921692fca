using System.Globalization;
using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Controllers.Common.History;

namespace Skiff.Controllers.DaemonSet;

/// <summary>
/// Daemon pods as upstream's <c>pkg/controller/daemon/util</c> makes and reads them: the template with the default
/// daemon tolerations and the <c>pod-template-generation</c> and <c>controller-revision-hash</c> labels
/// (<see cref="CreatePodTemplate"/>), a required node affinity <c>metadata.name In [node]</c> replacing every other
/// required term (<see cref="ReplaceNodeNameAffinity"/>), the node a pod is meant for (<see cref="TargetNodeName"/>),
/// and whether a node should run a daemon pod (<see cref="ShouldRun"/>).
/// </summary>
internal static class DaemonSetPods
{
    /// <summary>Upstream's <c>extensions.DaemonSetTemplateGenerationKey</c> on pods.</summary>
    public const string TemplateGenerationLabel = "pod-template-generation";

    /// <summary>The annotation apps/v1 carries the set's template generation in (the API server keeps it).</summary>
    public const string TemplateGenerationAnnotation = "deprecated.daemonset.template.generation";

    private static readonly (string Key, string Effect, bool HostNetworkOnly)[] DefaultTolerations =
    [
        ("node.kubernetes.io/not-ready", "NoExecute", false),
        ("node.kubernetes.io/unreachable", "NoExecute", false),
        ("node.kubernetes.io/disk-pressure", "NoSchedule", false),
        ("node.kubernetes.io/memory-pressure", "NoSchedule", false),
        ("node.kubernetes.io/pid-pressure", "NoSchedule", false),
        ("node.kubernetes.io/unschedulable", "NoSchedule", false),
        ("node.kubernetes.io/network-unavailable", "NoSchedule", true),
    ];

    /// <summary>Upstream's <c>GetTemplateGeneration</c>: the annotation's value; null when absent.</summary>
    /// <exception cref="FormatException">The annotation is not an integer.</exception>
    public static long? TemplateGeneration(V1DaemonSet ds) =>
        ds.Metadata.Annotations?.TryGetValue(TemplateGenerationAnnotation, out var v) == true
            ? long.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture)
            : null;

    /// <summary>
    /// Upstream's <c>IsPodUpdated</c>: the pod carries the current revision hash or the current template generation.
    /// </summary>
    public static bool IsUpdated(V1Pod pod, string hash, long? generation)
    {
        var labels = pod.Metadata.Labels;
        var templateMatches = generation is { } g && labels?.TryGetValue(TemplateGenerationLabel, out var pg) == true &&
            pg == g.ToString(CultureInfo.InvariantCulture);
        var hashMatches = hash.Length > 0 && labels?.TryGetValue(ControllerHistory.HashLabel, out var h) == true && h == hash;
        return hashMatches || templateMatches;
    }

    /// <summary>
    /// Upstream's <c>CreatePodTemplate</c>: a copy of the template with the default daemon tolerations added and the
    /// generation and hash labels set.
    /// </summary>
    public static V1PodTemplateSpec CreatePodTemplate(V1PodTemplateSpec template, long? generation, string hash)
    {
        var t = KubernetesSerialization.DeepCopy(template);
        t.Metadata ??= new V1ObjectMeta();
        t.Spec ??= new V1PodSpec();
        AddDefaultTolerations(t.Spec);
        t.Metadata.Labels ??= new Dictionary<string, string>();
        if (generation is { } g)
        {
            t.Metadata.Labels[TemplateGenerationLabel] = g.ToString(CultureInfo.InvariantCulture);
        }

        if (hash.Length > 0)
        {
            t.Metadata.Labels[ControllerHistory.HashLabel] = hash;
        }

        return t;
    }

    /// <summary>
    /// Upstream's <c>AddOrUpdateDaemonPodTolerations</c>: Exists tolerations of the not-ready and unreachable NoExecute
    /// taints, the disk-, memory- and pid-pressure and unschedulable NoSchedule taints, and network-unavailable for
    /// host-network pods; a toleration of the same key and effect already there is replaced.
    /// </summary>
    public static void AddDefaultTolerations(V1PodSpec spec)
    {
        var tolerations = spec.Tolerations is null ? new List<V1Toleration>() : [.. spec.Tolerations];
        foreach (var (key, effect, hostNetworkOnly) in DefaultTolerations)
        {
            if (hostNetworkOnly && spec.HostNetwork != true)
            {
                continue;
            }

            tolerations.RemoveAll(t => t.Key == key && t.Effect == effect && t.OperatorProperty == "Exists" && t.TolerationSeconds is null);
            if (!tolerations.Any(t => t.Key == key && t.Effect == effect))
            {
                tolerations.Add(new V1Toleration { Key = key, OperatorProperty = "Exists", Effect = effect });
            }
        }

        spec.Tolerations = tolerations;
    }

    /// <summary>
    /// Upstream's <c>ReplaceDaemonSetPodNodeNameNodeAffinity</c>: the affinity with its required node selector replaced
    /// by the one term <c>matchFields metadata.name In [<paramref name="nodeName"/>]</c> (the controller already
    /// checked the other terms against the node).
    /// </summary>
    public static V1Affinity ReplaceNodeNameAffinity(V1Affinity? affinity, string nodeName)
    {
        var term = new V1NodeSelectorTerm
        {
            MatchFields = [new V1NodeSelectorRequirement { Key = "metadata.name", OperatorProperty = "In", Values = [nodeName] }],
        };
        affinity ??= new V1Affinity();
        affinity.NodeAffinity ??= new V1NodeAffinity();
        affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = new V1NodeSelector { NodeSelectorTerms = [term] };
        return affinity;
    }

    /// <summary>
    /// Upstream's <c>GetTargetNodeName</c>: <c>spec.nodeName</c>, else the single node of a required
    /// <c>metadata.name In [node]</c> field term; null when neither.
    /// </summary>
    public static string? TargetNodeName(V1Pod pod)
    {
        if (!string.IsNullOrEmpty(pod.Spec?.NodeName))
        {
            return pod.Spec.NodeName;
        }

        var terms = pod.Spec?.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution?.NodeSelectorTerms ?? [];
        foreach (var term in terms)
        {
            foreach (var f in term.MatchFields ?? [])
            {
                if (f.Key == "metadata.name" && f.OperatorProperty == "In" && f.Values is { Count: 1 } v)
                {
                    return v[0];
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Upstream's <c>NodeShouldRunDaemonPod</c>: whether a daemon pod should run on <paramref name="node"/> (its name,
    /// node selector and required node affinity fit, and the pod tolerates every NoSchedule and NoExecute taint), and
    /// whether one already running may stay (it fits, and tolerates every NoExecute taint).
    /// </summary>
    public static (bool ShouldRun, bool ShouldContinueRunning) ShouldRun(V1Node node, V1DaemonSet ds)
    {
        var spec = ds.Spec.Template?.Spec ?? new V1PodSpec();
        if (!string.IsNullOrEmpty(spec.NodeName) && spec.NodeName != node.Metadata.Name)
        {
            return (false, false);
        }

        if (!FitsNodeSelector(spec, node))
        {
            return (false, false);
        }

        var tolerationsSpec = new V1PodSpec { Tolerations = spec.Tolerations, HostNetwork = spec.HostNetwork };
        AddDefaultTolerations(tolerationsSpec);
        var taints = node.Spec?.Taints ?? [];
        bool Tolerated(V1Taint taint) => Skiff.Client.Scheduling.Tolerations.Tolerates(tolerationsSpec.Tolerations, taint);
        if (taints.Where(t => t.Effect is "NoSchedule" or "NoExecute").All(Tolerated))
        {
            return (true, true);
        }

        return (false, taints.Where(t => t.Effect == "NoExecute").All(Tolerated));
    }

    /// <summary>The node selector and the required node affinity of <paramref name="spec"/> both match <paramref name="node"/>.</summary>
    public static bool FitsNodeSelector(V1PodSpec spec, V1Node node)
    {
        var labels = node.Metadata.Labels ?? new Dictionary<string, string>();
        foreach (var (k, v) in spec.NodeSelector ?? new Dictionary<string, string>())
        {
            if (!labels.TryGetValue(k, out var actual) || actual != v)
            {
                return false;
            }
        }

        var required = spec.Affinity?.NodeAffinity?.RequiredDuringSchedulingIgnoredDuringExecution;
        return required is null || Skiff.Client.Scheduling.NodeSelectors.Matches(required, node);
    }
}
