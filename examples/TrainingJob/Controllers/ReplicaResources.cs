using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Rest;
using TrainingOperator.Api;

namespace TrainingOperator.Controllers;

/// <summary>
/// The pods and headless Services of a training job, as tf-operator builds them: pod <c>JOB-TYPE-INDEX</c> (type in lower
/// case) with hostname = its name and subdomain = the type's Service <c>JOB-TYPE</c>, so it resolves as
/// <c>JOB-TYPE-INDEX.JOB-TYPE.NAMESPACE.svc</c>; every container gets <c>TF_CONFIG</c>; everything is controlled by the
/// job (ownerReference with controller and blockOwnerDeletion), so the garbage collector removes it with the job.
/// </summary>
public static class ReplicaResources
{
    /// <summary>Label: the job's name.</summary>
    public const string JobNameLabel = "training.skiff.dev/job-name";

    /// <summary>Label: the replica type in lower case (chief, ps, worker).</summary>
    public const string ReplicaTypeLabel = "training.skiff.dev/replica-type";

    /// <summary>Label: the replica index.</summary>
    public const string ReplicaIndexLabel = "training.skiff.dev/replica-index";

    /// <summary>The port name tf-operator looks for in the template; its number is used in TF_CONFIG.</summary>
    public const string PortName = "tfjob-port";

    /// <summary>The port when the template names none.</summary>
    public const int DefaultPort = 2222;

    public static string PodName(string job, string type, int index) => string.Create(CultureInfo.InvariantCulture, $"{job}-{type.ToLowerInvariant()}-{index}");

    public static string ServiceName(string job, string type) => $"{job}-{type.ToLowerInvariant()}";

    /// <summary>The replicas of <paramref name="spec"/> (default 1).</summary>
    public static int Replicas(ReplicaSpec spec) => spec.Replicas ?? 1;

    /// <summary>The port of a replica type: the template's container port named tfjob-port, else 2222.</summary>
    public static int Port(ReplicaSpec spec) =>
        spec.Template.Spec?.Containers?.SelectMany(c => c.Ports ?? []).FirstOrDefault(p => p.Name == PortName)?.ContainerPort ?? DefaultPort;

    /// <summary>The cluster spec every pod gets: <c>{"chief": ["host:port"], "ps": [...], "worker": [...]}</c>.</summary>
    public static JsonObject ClusterSpec(TrainingJob job)
    {
        var cluster = new JsonObject();
        foreach (var type in ReplicaTypes.All)
        {
            if (job.Spec.ReplicaSpecs.TryGetValue(type, out var spec))
            {
                var service = ServiceName(job.Metadata.Name, type);
                var port = Port(spec);
                cluster[type.ToLowerInvariant()] = new JsonArray([.. Enumerable.Range(0, Replicas(spec)).Select(i =>
                    (JsonNode)string.Create(CultureInfo.InvariantCulture, $"{PodName(job.Metadata.Name, type, i)}.{service}.{job.Metadata.NamespaceProperty}.svc:{port}"))]);
            }
        }

        return cluster;
    }

    /// <summary>TF_CONFIG of replica <paramref name="index"/> of <paramref name="type"/>.</summary>
    public static string TfConfig(TrainingJob job, string type, int index) => new JsonObject
    {
        ["cluster"] = ClusterSpec(job),
        ["task"] = new JsonObject { ["type"] = type.ToLowerInvariant(), ["index"] = index },
        ["environment"] = "cloud",
    }.ToJsonString();

    /// <summary>The controller ownerReference pointing at <paramref name="job"/>.</summary>
    public static V1OwnerReference OwnerReference(TrainingJob job) => new()
    {
        ApiVersion = job.ApiVersion,
        Kind = job.Kind,
        Name = job.Metadata.Name,
        Uid = job.Metadata.Uid,
        Controller = true,
        BlockOwnerDeletion = true,
    };

    /// <summary>Whether <paramref name="owner"/>'s controller is <paramref name="job"/>.</summary>
    public static bool IsControlledBy(V1ObjectMeta owner, TrainingJob job) =>
        owner.OwnerReferences?.Any(r => r.Controller == true && r.Uid == job.Metadata.Uid) == true;

    /// <summary>Pod <paramref name="index"/> of <paramref name="type"/>, from the replica's template.</summary>
    public static V1Pod Pod(TrainingJob job, string type, int index)
    {
        var spec = job.Spec.ReplicaSpecs[type];
        var template = KubernetesSerialization.DeepCopy(spec.Template);
        var name = PodName(job.Metadata.Name, type, index);
        var labels = new Dictionary<string, string>(template.Metadata?.Labels ?? new Dictionary<string, string>())
        {
            [JobNameLabel] = job.Metadata.Name,
            [ReplicaTypeLabel] = type.ToLowerInvariant(),
            [ReplicaIndexLabel] = index.ToString(CultureInfo.InvariantCulture),
        };
        var podSpec = template.Spec ?? new V1PodSpec();
        podSpec.Hostname = name;
        podSpec.Subdomain = ServiceName(job.Metadata.Name, type);
        podSpec.RestartPolicy = (spec.RestartPolicy ?? RestartPolicy.Never).ToString();
        var tfConfig = TfConfig(job, type, index);
        foreach (var c in podSpec.Containers ?? [])
        {
            c.Env = [.. (c.Env ?? []).Where(e => e.Name != "TF_CONFIG"), new V1EnvVar { Name = "TF_CONFIG", Value = tfConfig }];
        }

        return new V1Pod
        {
            ApiVersion = "v1",
            Kind = "Pod",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                NamespaceProperty = job.Metadata.NamespaceProperty,
                Labels = labels,
                Annotations = template.Metadata?.Annotations,
                OwnerReferences = [OwnerReference(job)],
            },
            Spec = podSpec,
        };
    }

    /// <summary>The headless Service of <paramref name="type"/>, selecting that type's pods.</summary>
    public static V1Service Service(TrainingJob job, string type)
    {
        var port = Port(job.Spec.ReplicaSpecs[type]);
        var selector = new Dictionary<string, string> { [JobNameLabel] = job.Metadata.Name, [ReplicaTypeLabel] = type.ToLowerInvariant() };
        return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = new V1ObjectMeta
            {
                Name = ServiceName(job.Metadata.Name, type),
                NamespaceProperty = job.Metadata.NamespaceProperty,
                Labels = selector,
                OwnerReferences = [OwnerReference(job)],
            },
            Spec = new V1ServiceSpec
            {
                ClusterIP = "None",
                Selector = selector,
                Ports = [new V1ServicePort { Name = PortName, Port = port, TargetPort = port }],
            },
        };
    }

    /// <summary>The replica type and index of a pod the job controls, from its labels (null when they are missing).</summary>
    public static (string Type, int Index)? Identify(V1Pod pod)
    {
        var labels = pod.Metadata.Labels;
        if (labels is null || !labels.TryGetValue(ReplicaTypeLabel, out var t) || !labels.TryGetValue(ReplicaIndexLabel, out var i)
            || !int.TryParse(i, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return null;
        }

        var type = ReplicaTypes.All.FirstOrDefault(x => x.Equals(t, StringComparison.OrdinalIgnoreCase));
        return type is null ? null : (type, index);
    }

    /// <summary>JSON equality of two statuses (to skip writes that change nothing).</summary>
    public static bool SameJson<T>(T a, T b) =>
        JsonSerializer.Serialize(a, KubernetesSerialization.Options) == JsonSerializer.Serialize(b, KubernetesSerialization.Options);
}
