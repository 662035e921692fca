using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;

namespace Skiff.Bench.Protobuf;

/// <summary>
/// Realistic objects for the protobuf benchmark (the shape a controller-managed Pod has in a cluster). Every object of
/// a sequence is distinct where a real cluster's objects are: names, uids, pod and host IPs, resource versions,
/// timestamps (creation, start, conditions, managedFields), container ids, nodes; the pod-template hash, owner and
/// image change per ReplicaSet (every 50 pods), as in a cluster with a few deployments. Caches keyed on whole values
/// therefore only help where a real list repeats itself.
/// </summary>
internal static class BenchObjects
{
    private static readonly DateTime Base = new(2024, 5, 1, 10, 0, 0, DateTimeKind.Utc);

    public static JsonObject Pod(int i)
    {
        var rs = i / 50;
        var hash = Hex((uint)(0x7d4b9c8f ^ (rs * 0x9E3779B1)), 9);
        var owner = $"web{rs}-{hash}";
        var name = $"{owner}-{Hex((uint)i * 2654435761u, 5)}";
        var uid = Uid(i, 0x3f1c2a8e);
        var ownerUid = Uid(rs, 0x9a8b7c6d);
        var node = $"node-{(i * 7) % 40 + 1}";
        var hostIp = $"10.0.{(i * 7) % 40 / 256}.{(i * 7) % 40 + 11}";
        var podIp = $"10.244.{i / 250 % 256}.{i % 250 + 2}";
        var created = Base.AddSeconds(i * 13 + rs * 3600);
        string T(int s) => created.AddSeconds(s).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var image = rs % 3 == 0 ? "nginx:1.27" : rs % 3 == 1 ? "nginx:1.26.2" : "registry.example.com/team/web:v" + rs;
        var json = PodJson
            .Replace("$NAME", name, StringComparison.Ordinal)
            .Replace("$OWNER", owner, StringComparison.Ordinal)
            .Replace("$HASH", hash, StringComparison.Ordinal)
            .Replace("$UID", uid, StringComparison.Ordinal)
            .Replace("$OUID", ownerUid, StringComparison.Ordinal)
            .Replace("$RV", (48213 + i * 17).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$NODE", node, StringComparison.Ordinal)
            .Replace("$HOSTIP", hostIp, StringComparison.Ordinal)
            .Replace("$PODIP", podIp, StringComparison.Ordinal)
            .Replace("$IMAGE", image, StringComparison.Ordinal)
            .Replace("$T0", T(0), StringComparison.Ordinal)
            .Replace("$T1", T(1), StringComparison.Ordinal)
            .Replace("$T2", T(2), StringComparison.Ordinal)
            .Replace("$T5", T(5), StringComparison.Ordinal)
            .Replace("$T9", T(9), StringComparison.Ordinal)
            .Replace("$RESTARTED", Base.AddSeconds(rs * 3600 - 60).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$CID1", Hex((uint)i * 0x85EBCA6Bu, 8) + Hex((uint)i * 0xC2B2AE35u, 8), StringComparison.Ordinal)
            .Replace("$CID2", Hex((uint)i * 0x27D4EB2Fu, 8) + Hex((uint)i * 0x165667B1u, 8), StringComparison.Ordinal)
            .Replace("$TOKEN", Hex((uint)i * 0x9E3779B1u, 5), StringComparison.Ordinal);
        return JsonNode.Parse(json)!.AsObject();
    }

    public static JsonObject PodList(int count, int first = 0)
    {
        var items = new JsonArray();
        for (var i = first; i < first + count; i++)
        {
            var pod = Pod(i);
            pod.Remove("kind");
            pod.Remove("apiVersion");
            items.Add(pod);
        }

        return new JsonObject
        {
            ["kind"] = "PodList",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = "123456" },
            ["items"] = items,
        };
    }

    public static JsonObject Deployment(int i)
    {
        var created = Base.AddSeconds(-86400 + i * 611);
        string T(int s) => created.AddSeconds(s).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var json = DeploymentJson
            .Replace("$NAME", "web" + i, StringComparison.Ordinal)
            .Replace("$UID", Uid(i, 0x0d8f4b2e), StringComparison.Ordinal)
            .Replace("$RV", (48100 + i * 31).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$GEN", (3 + i % 5).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$REPLICAS", (1 + i % 7).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("$HASH", Hex((uint)(0x7d4b9c8f ^ (i * 0x9E3779B1)), 9), StringComparison.Ordinal)
            .Replace("$T0", T(0), StringComparison.Ordinal)
            .Replace("$T30", T(30), StringComparison.Ordinal)
            .Replace("$T90", T(90_000), StringComparison.Ordinal)
            .Replace("$T99", T(90_010), StringComparison.Ordinal);
        return JsonNode.Parse(json)!.AsObject();
    }

    /// <summary>
    /// The floor of decoding a bench Pod: builds the same object graph by hand from a decoded pod, copying every string
    /// (as decoding must create them), parsing the managedFields JSON into elements (as decoding must), sharing the
    /// quantities (as the codec does). No wire reading at all: what any decoder into these model classes must at least do.
    /// </summary>
    public static V1Pod BuildPodFloor(V1Pod p)
    {
        static string? S(string? s) => s is null ? null : new string(s.AsSpan());
        static Dictionary<string, string>? Map(IDictionary<string, string>? m)
        {
            if (m is null)
            {
                return null;
            }

            var d = new Dictionary<string, string>();
            foreach (var (k, v) in m)
            {
                d[S(k)!] = S(v)!;
            }

            return d;
        }

        static Dictionary<string, ResourceQuantity>? Q(IDictionary<string, ResourceQuantity>? m) => m is null ? null : new Dictionary<string, ResourceQuantity>(m);
        static List<TOut>? L<TIn, TOut>(IList<TIn>? l, Func<TIn, TOut> f)
        {
            if (l is null)
            {
                return null;
            }

            var r = new List<TOut>();
            foreach (var x in l)
            {
                r.Add(f(x));
            }

            return r;
        }

        static object? Raw(object? o) => o is JsonElement e ? JsonDocument.Parse(JsonMarshal.GetRawUtf8Value(e).ToArray()).RootElement.Clone() : null;
        static V1HTTPGetAction? Http(V1HTTPGetAction? h) => h is null ? null : new V1HTTPGetAction { Path = S(h.Path), Port = (IntOrString)S(h.Port.Value)!, Scheme = S(h.Scheme) };
        static V1Probe? Probe(V1Probe? x) => x is null ? null : new V1Probe
        {
            HttpGet = Http(x.HttpGet), InitialDelaySeconds = x.InitialDelaySeconds, TimeoutSeconds = x.TimeoutSeconds,
            PeriodSeconds = x.PeriodSeconds, SuccessThreshold = x.SuccessThreshold, FailureThreshold = x.FailureThreshold,
        };
        static V1ObjectFieldSelector? Field(V1ObjectFieldSelector? f) => f is null ? null : new V1ObjectFieldSelector { ApiVersion = S(f.ApiVersion), FieldPath = S(f.FieldPath) };
        var m = p.Metadata;
        var s = p.Spec;
        var st = p.Status;
        return new V1Pod
        {
            ApiVersion = p.ApiVersion,
            Kind = p.Kind,
            Metadata = new V1ObjectMeta
            {
                Name = S(m.Name), GenerateName = S(m.GenerateName), NamespaceProperty = S(m.NamespaceProperty), Uid = S(m.Uid),
                ResourceVersion = S(m.ResourceVersion), CreationTimestamp = m.CreationTimestamp, Labels = Map(m.Labels), Annotations = Map(m.Annotations),
                OwnerReferences = L(m.OwnerReferences, o => new V1OwnerReference { ApiVersion = S(o.ApiVersion), Kind = S(o.Kind), Name = S(o.Name), Uid = S(o.Uid), Controller = o.Controller, BlockOwnerDeletion = o.BlockOwnerDeletion }),
                ManagedFields = L(m.ManagedFields, f => new V1ManagedFieldsEntry { Manager = S(f.Manager), Operation = S(f.Operation), ApiVersion = S(f.ApiVersion), Time = f.Time, FieldsType = S(f.FieldsType), FieldsV1 = Raw(f.FieldsV1), Subresource = S(f.Subresource) }),
            },
            Spec = new V1PodSpec
            {
                Volumes = L(s.Volumes, v => new V1Volume
                {
                    Name = S(v.Name),
                    ConfigMap = v.ConfigMap is null ? null : new V1ConfigMapVolumeSource { Name = S(v.ConfigMap.Name), DefaultMode = v.ConfigMap.DefaultMode },
                    Projected = v.Projected is null ? null : new V1ProjectedVolumeSource
                    {
                        DefaultMode = v.Projected.DefaultMode,
                        Sources = L(v.Projected.Sources, x => new V1VolumeProjection
                        {
                            ServiceAccountToken = x.ServiceAccountToken is null ? null : new V1ServiceAccountTokenProjection { ExpirationSeconds = x.ServiceAccountToken.ExpirationSeconds, Path = S(x.ServiceAccountToken.Path) },
                            ConfigMap = x.ConfigMap is null ? null : new V1ConfigMapProjection { Name = S(x.ConfigMap.Name), Items = L(x.ConfigMap.Items, k => new V1KeyToPath { Key = S(k.Key), Path = S(k.Path) }) },
                            DownwardAPI = x.DownwardAPI is null ? null : new V1DownwardAPIProjection { Items = L(x.DownwardAPI.Items, k => new V1DownwardAPIVolumeFile { Path = S(k.Path), FieldRef = Field(k.FieldRef) }) },
                        }),
                    },
                }),
                Containers = L(s.Containers, c => new V1Container
                {
                    Name = S(c.Name), Image = S(c.Image), Command = L(c.Command, S!),
                    Ports = L(c.Ports, x => new V1ContainerPort { Name = S(x.Name), ContainerPort = x.ContainerPort, Protocol = S(x.Protocol) }),
                    Env = L(c.Env, e => new V1EnvVar { Name = S(e.Name), Value = S(e.Value), ValueFrom = e.ValueFrom is null ? null : new V1EnvVarSource { FieldRef = Field(e.ValueFrom.FieldRef) } }),
                    Resources = c.Resources is null ? null : new V1ResourceRequirements { Limits = Q(c.Resources.Limits), Requests = Q(c.Resources.Requests) },
                    VolumeMounts = L(c.VolumeMounts, x => new V1VolumeMount { Name = S(x.Name), ReadOnlyProperty = x.ReadOnlyProperty, MountPath = S(x.MountPath) }),
                    LivenessProbe = Probe(c.LivenessProbe), ReadinessProbe = Probe(c.ReadinessProbe),
                    TerminationMessagePath = S(c.TerminationMessagePath), TerminationMessagePolicy = S(c.TerminationMessagePolicy), ImagePullPolicy = S(c.ImagePullPolicy),
                }),
                RestartPolicy = S(s.RestartPolicy), TerminationGracePeriodSeconds = s.TerminationGracePeriodSeconds, DnsPolicy = S(s.DnsPolicy),
                ServiceAccountName = S(s.ServiceAccountName), ServiceAccount = S(s.ServiceAccount), NodeName = S(s.NodeName), SecurityContext = new V1PodSecurityContext(),
                SchedulerName = S(s.SchedulerName), Priority = s.Priority, EnableServiceLinks = s.EnableServiceLinks, PreemptionPolicy = S(s.PreemptionPolicy),
                Tolerations = L(s.Tolerations, t => new V1Toleration { Key = S(t.Key), OperatorProperty = S(t.OperatorProperty), Effect = S(t.Effect), TolerationSeconds = t.TolerationSeconds }),
            },
            Status = new V1PodStatus
            {
                Phase = S(st.Phase), HostIP = S(st.HostIP), PodIP = S(st.PodIP), StartTime = st.StartTime, QosClass = S(st.QosClass),
                Conditions = L(st.Conditions, c => new V1PodCondition { Type = S(c.Type), Status = S(c.Status), LastProbeTime = c.LastProbeTime, LastTransitionTime = c.LastTransitionTime }),
                HostIPs = L(st.HostIPs, x => new V1HostIP { Ip = S(x.Ip) }),
                PodIPs = L(st.PodIPs, x => new V1PodIP { Ip = S(x.Ip) }),
                ContainerStatuses = L(st.ContainerStatuses, c => new V1ContainerStatus
                {
                    Name = S(c.Name), Ready = c.Ready, RestartCount = c.RestartCount, Image = S(c.Image), ImageID = S(c.ImageID), ContainerID = S(c.ContainerID), Started = c.Started,
                    State = new V1ContainerState { Running = c.State?.Running is null ? null : new V1ContainerStateRunning { StartedAt = c.State.Running.StartedAt } },
                    LastState = new V1ContainerState(),
                }),
            },
        };
    }

    private static string Hex(uint v, int digits) => v.ToString("x8", CultureInfo.InvariantCulture)[..Math.Min(8, digits)] + (digits > 8 ? "b" : string.Empty);

    private static string Uid(int i, uint seed)
    {
        var a = (uint)i * 2654435761u ^ seed;
        var b = (uint)i * 0x85EBCA6Bu + seed;
        var c = (uint)i * 0xC2B2AE35u ^ (seed >> 3);
        return $"{a:x8}-{b >> 16:x4}-4{b & 0xfff:x3}-9{c >> 20:x3}-{c:x8}{(ushort)(a ^ c):x4}";
    }

    private const string PodJson = """
    {"kind":"Pod","apiVersion":"v1","metadata":{"name":"$NAME","generateName":"$OWNER-","namespace":"default",
     "uid":"$UID","resourceVersion":"$RV","creationTimestamp":"$T0",
     "labels":{"app":"web","pod-template-hash":"$HASH","tier":"frontend"},
     "annotations":{"kubectl.kubernetes.io/restartedAt":"$RESTARTED","prometheus.io/scrape":"true"},
     "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"$OWNER","uid":"$OUID","controller":true,"blockOwnerDeletion":true}],
     "managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1","time":"$T0","fieldsType":"FieldsV1",
       "fieldsV1":{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{},"f:pod-template-hash":{}},"f:ownerReferences":{".":{},"k:{\"uid\":\"$OUID\"}":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}},
      {"manager":"kubelet","operation":"Update","apiVersion":"v1","time":"$T5","fieldsType":"FieldsV1","subresource":"status",
       "fieldsV1":{"f:status":{"f:conditions":{"k:{\"type\":\"Ready\"}":{".":{},"f:lastProbeTime":{},"f:lastTransitionTime":{},"f:status":{},"f:type":{}}},"f:containerStatuses":{},"f:hostIP":{},"f:phase":{},"f:podIP":{},"f:podIPs":{".":{},"k:{\"ip\":\"$PODIP\"}":{".":{},"f:ip":{}}},"f:startTime":{}}}}]},
     "spec":{"volumes":[{"name":"config","configMap":{"name":"web-config","defaultMode":420}},{"name":"kube-api-access-$TOKEN","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}}],
      "containers":[{"name":"web","image":"$IMAGE","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],
        "env":[{"name":"MODE","value":"production"},{"name":"POD_IP","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"status.podIP"}}}],
        "resources":{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}},
        "volumeMounts":[{"name":"config","readOnly":true,"mountPath":"/etc/web"},{"name":"kube-api-access-$TOKEN","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],
        "livenessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"initialDelaySeconds":10,"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},
        "readinessProbe":{"httpGet":{"path":"/ready","port":8080,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":5,"successThreshold":1,"failureThreshold":3},
        "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"},
       {"name":"sidecar","image":"busybox:1.36","command":["sh","-c","while true; do sleep 3600; done"],"resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],
      "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default","serviceAccount":"default","nodeName":"$NODE",
      "securityContext":{},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],
      "priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},
     "status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True","lastProbeTime":null,"lastTransitionTime":"$T0"},{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"$T5"},{"type":"ContainersReady","status":"True","lastProbeTime":null,"lastTransitionTime":"$T5"},{"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":"$T0"}],
      "hostIP":"$HOSTIP","hostIPs":[{"ip":"$HOSTIP"}],"podIP":"$PODIP","podIPs":[{"ip":"$PODIP"}],"startTime":"$T0",
      "containerStatuses":[{"name":"sidecar","state":{"running":{"startedAt":"$T2"}},"lastState":{},"ready":true,"restartCount":0,"image":"docker.io/library/busybox:1.36","imageID":"docker.io/library/busybox@sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7","containerID":"containerd://$CID1","started":true},
       {"name":"web","state":{"running":{"startedAt":"$T1"}},"lastState":{},"ready":true,"restartCount":0,"image":"docker.io/library/$IMAGE","imageID":"docker.io/library/nginx@sha256:0f04e4f646a3f14bf31d8bc8d885b6c951fdcf42589d06845f64d18aec6a3c4d","containerID":"containerd://$CID2","started":true}],
      "qosClass":"Burstable"}}
    """;

    private const string DeploymentJson = """
    {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"$NAME","namespace":"default","uid":"$UID","resourceVersion":"$RV","generation":$GEN,"creationTimestamp":"$T0",
     "labels":{"app":"$NAME"},"annotations":{"deployment.kubernetes.io/revision":"$GEN"},
     "managedFields":[{"manager":"kubectl-client-side-apply","operation":"Update","apiVersion":"apps/v1","time":"$T0","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{".":{},"f:app":{}}}}}}},
      {"manager":"kube-controller-manager","operation":"Update","apiVersion":"apps/v1","time":"$T99","fieldsType":"FieldsV1","subresource":"status","fieldsV1":{"f:status":{"f:availableReplicas":{},"f:conditions":{},"f:observedGeneration":{},"f:readyReplicas":{},"f:replicas":{},"f:updatedReplicas":{}}}}]},
     "spec":{"replicas":$REPLICAS,"selector":{"matchLabels":{"app":"$NAME"}},
      "template":{"metadata":{"labels":{"app":"$NAME","tier":"frontend"},"annotations":{"kubectl.kubernetes.io/restartedAt":"$T90"}},
       "spec":{"containers":[{"name":"web","image":"nginx:1.27","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],
         "env":[{"name":"MODE","value":"production"}],"resources":{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}},
         "livenessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"initialDelaySeconds":10,"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},
         "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],
        "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","securityContext":{},"schedulerName":"default-scheduler"}},
      "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},"revisionHistoryLimit":10,"progressDeadlineSeconds":600},
     "status":{"observedGeneration":$GEN,"replicas":$REPLICAS,"updatedReplicas":$REPLICAS,"readyReplicas":$REPLICAS,"availableReplicas":$REPLICAS,
      "conditions":[{"type":"Available","status":"True","lastUpdateTime":"$T99","lastTransitionTime":"$T30","reason":"MinimumReplicasAvailable","message":"Deployment has minimum availability."},
       {"type":"Progressing","status":"True","lastUpdateTime":"$T99","lastTransitionTime":"$T0","reason":"NewReplicaSetAvailable","message":"ReplicaSet \"$NAME-$HASH\" has successfully progressed."}]}}
    """;
}
