using System.Text.Json.Nodes;

namespace Skiff.Bench.Protobuf;

/// <summary>Realistic objects for the protobuf benchmark (the shape a controller-managed Pod has in a cluster).</summary>
internal static class BenchObjects
{
    public static JsonObject Pod(int i) => JsonNode.Parse(PodJson.Replace("web-7d4b9c8f6-abcde", $"web-7d4b9c8f6-{i:x5}", StringComparison.Ordinal))!.AsObject();

    public static JsonObject PodList(int count)
    {
        var items = new JsonArray();
        for (var i = 0; i < count; i++)
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

    public static JsonObject Deployment() => JsonNode.Parse(DeploymentJson)!.AsObject();

    private const string PodJson = """
    {"kind":"Pod","apiVersion":"v1","metadata":{"name":"web-7d4b9c8f6-abcde","generateName":"web-7d4b9c8f6-","namespace":"default",
     "uid":"3f1c2a8e-5b7d-4e2a-9c61-0d8f4b2e7a19","resourceVersion":"48213","creationTimestamp":"2024-05-01T10:00:00Z",
     "labels":{"app":"web","pod-template-hash":"7d4b9c8f6","tier":"frontend"},
     "annotations":{"kubectl.kubernetes.io/restartedAt":"2024-05-01T09:59:00Z","prometheus.io/scrape":"true"},
     "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d4b9c8f6","uid":"9a8b7c6d-1e2f-4a5b-8c9d-0e1f2a3b4c5d","controller":true,"blockOwnerDeletion":true}],
     "managedFields":[{"manager":"kube-controller-manager","operation":"Update","apiVersion":"v1","time":"2024-05-01T10:00:00Z","fieldsType":"FieldsV1",
       "fieldsV1":{"f:metadata":{"f:generateName":{},"f:labels":{".":{},"f:app":{},"f:pod-template-hash":{}},"f:ownerReferences":{".":{},"k:{\"uid\":\"9a8b7c6d-1e2f-4a5b-8c9d-0e1f2a3b4c5d\"}":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}]},
     "spec":{"volumes":[{"name":"config","configMap":{"name":"web-config","defaultMode":420}},{"name":"kube-api-access-x7k2p","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}}],
      "containers":[{"name":"web","image":"nginx:1.27","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],
        "env":[{"name":"MODE","value":"production"},{"name":"POD_IP","valueFrom":{"fieldRef":{"apiVersion":"v1","fieldPath":"status.podIP"}}}],
        "resources":{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}},
        "volumeMounts":[{"name":"config","readOnly":true,"mountPath":"/etc/web"},{"name":"kube-api-access-x7k2p","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],
        "livenessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"initialDelaySeconds":10,"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},
        "readinessProbe":{"httpGet":{"path":"/ready","port":8080,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":5,"successThreshold":1,"failureThreshold":3},
        "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"},
       {"name":"sidecar","image":"busybox:1.36","command":["sh","-c","while true; do sleep 3600; done"],"resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],
      "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default","serviceAccount":"default","nodeName":"node-1",
      "securityContext":{},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],
      "priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},
     "status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:00Z"},{"type":"Ready","status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:05Z"},{"type":"ContainersReady","status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:05Z"},{"type":"PodScheduled","status":"True","lastProbeTime":null,"lastTransitionTime":"2024-05-01T10:00:00Z"}],
      "hostIP":"10.0.0.11","hostIPs":[{"ip":"10.0.0.11"}],"podIP":"10.244.1.23","podIPs":[{"ip":"10.244.1.23"}],"startTime":"2024-05-01T10:00:00Z",
      "containerStatuses":[{"name":"sidecar","state":{"running":{"startedAt":"2024-05-01T10:00:02Z"}},"lastState":{},"ready":true,"restartCount":0,"image":"docker.io/library/busybox:1.36","imageID":"docker.io/library/busybox@sha256:9ae97d36d26566ff84e8893c64a6dc4fe8ca6d1144bf5b87b2b85a32def253c7","containerID":"containerd://1b2c3d4e5f","started":true},
       {"name":"web","state":{"running":{"startedAt":"2024-05-01T10:00:01Z"}},"lastState":{},"ready":true,"restartCount":0,"image":"docker.io/library/nginx:1.27","imageID":"docker.io/library/nginx@sha256:0f04e4f646a3f14bf31d8bc8d885b6c951fdcf42589d06845f64d18aec6a3c4d","containerID":"containerd://6a7b8c9d0e","started":true}],
      "qosClass":"Burstable"}}
    """;

    private const string DeploymentJson = """
    {"kind":"Deployment","apiVersion":"apps/v1","metadata":{"name":"web","namespace":"default","uid":"0d8f4b2e-7a19-4e2a-9c61-3f1c2a8e5b7d","resourceVersion":"48100","generation":3,"creationTimestamp":"2024-04-30T08:00:00Z",
     "labels":{"app":"web"},"annotations":{"deployment.kubernetes.io/revision":"3"}},
     "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web","tier":"frontend"},"annotations":{"kubectl.kubernetes.io/restartedAt":"2024-05-01T09:59:00Z"}},
       "spec":{"containers":[{"name":"web","image":"nginx:1.27","ports":[{"name":"http","containerPort":8080,"protocol":"TCP"}],
         "env":[{"name":"MODE","value":"production"}],"resources":{"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}},
         "livenessProbe":{"httpGet":{"path":"/healthz","port":"http","scheme":"HTTP"},"initialDelaySeconds":10,"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3},
         "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],
        "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","securityContext":{},"schedulerName":"default-scheduler"}},
      "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},"revisionHistoryLimit":10,"progressDeadlineSeconds":600},
     "status":{"observedGeneration":3,"replicas":3,"updatedReplicas":3,"readyReplicas":3,"availableReplicas":3,
      "conditions":[{"type":"Available","status":"True","lastUpdateTime":"2024-05-01T10:00:10Z","lastTransitionTime":"2024-04-30T08:00:30Z","reason":"MinimumReplicasAvailable","message":"Deployment has minimum availability."},
       {"type":"Progressing","status":"True","lastUpdateTime":"2024-05-01T10:00:10Z","lastTransitionTime":"2024-04-30T08:00:00Z","reason":"NewReplicaSetAvailable","message":"ReplicaSet \"web-7d4b9c8f6\" has successfully progressed."}]}}
    """;
}
