using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Printing;

/// <summary>Rows of upstream's printers (pkg/printers/internalversion/printers_test.go cases where practical).</summary>
public class PrinterTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2025-01-10T00:00:00Z");
    private static readonly IReadOnlyList<ResourceDescriptor> All = BuiltInResources.Create(new BuiltInResourceOptions());

    private static IReadOnlyList<object?> Row(string group, string resource, string json) =>
        All.First(d => d.Group == group && d.Resource == resource).Strategy.Table.Cells((JsonObject)JsonNode.Parse(json)!, Now);

    private static IEnumerable<string> ColumnNames(string group, string resource) =>
        All.First(d => d.Group == group && d.Resource == resource).Strategy.Table.Columns.Select(c => c.Name);

    [Theory]
    [InlineData("""[{"type":"Ready","status":"True"}]""", false, "Ready")]
    [InlineData("""[{"type":"Ready","status":"True"}]""", true, "Ready,SchedulingDisabled")]
    [InlineData("""[{"type":"Ready","status":"False"}]""", false, "NotReady")]
    [InlineData("""[]""", false, "Unknown")]
    [InlineData("""[{"type":"InvalidValue","status":"True"}]""", true, "Unknown,SchedulingDisabled")]
    public void Node_Status_LikeTestPrintNodeStatus(string conditions, bool unschedulable, string expected)
    {
        var json = """{"metadata":{"name":"n"},"spec":{"unschedulable":UNSCHED},"status":{"conditions":CONDS}}"""
            .Replace("UNSCHED", unschedulable ? "true" : "false").Replace("CONDS", conditions);
        var row = Row("", "nodes", json);
        Assert.Equal(expected, row[1]);
    }

    [Fact]
    public void Node_RolesVersionAndWideColumns()
    {
        var row = Row("", "nodes", """
            {"metadata":{"name":"n","creationTimestamp":"2025-01-09T00:00:00Z","labels":{"node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/worker":"","kubernetes.io/role":"extra"}},
             "status":{"nodeInfo":{"kubeletVersion":"v1.32.4","osImage":"Debian"},"addresses":[{"type":"InternalIP","address":"10.1.1.1"}]}}
            """);
        Assert.Equal(["n", "Unknown", "control-plane,extra,worker", "24h", "v1.32.4", "10.1.1.1", "<none>", "Debian", "<unknown>", "<unknown>"], row);
    }

    [Fact]
    public void Event_LastSeenObjectSourceAndCount()
    {
        var row = Row("", "events", """
            {"metadata":{"name":"e1"},"type":"Normal","reason":"Scheduled","message":" ok \n",
             "involvedObject":{"kind":"Pod","name":"p1","fieldPath":"spec.containers{a}"},
             "source":{"component":"kubelet","host":"n1"},"firstTimestamp":"2025-01-09T23:50:00Z","lastTimestamp":"2025-01-09T23:55:00Z","count":3}
            """);
        Assert.Equal(["5m", "Normal", "Scheduled", "pod/p1", "spec.containers{a}", "kubelet, n1", "ok", "10m", 3L, "e1"], row);
        Assert.Equal(["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"], ColumnNames("", "events"));
    }

    [Fact]
    public void Event_NewStyleEventTimeAndSingletonCount()
    {
        var row = Row("", "events", """
            {"metadata":{"name":"e1"},"type":"Warning","reason":"R","message":"m","eventTime":"2025-01-09T23:59:00.000000Z",
             "reportingComponent":"sched","involvedObject":{"kind":"Node"}}
            """);
        Assert.Equal("60s", row[0]);
        Assert.Equal("node", row[3]);
        Assert.Equal("sched", row[5]);
        Assert.Equal(1L, row[8]);
    }

    [Fact]
    public void EventsV1_PrintsLikeCoreEvents()
    {
        var row = Row("events.k8s.io", "events", """
            {"metadata":{"name":"e1"},"type":"Normal","reason":"Pulled","note":"pulled","eventTime":"2025-01-09T23:59:00.000000Z",
             "regarding":{"kind":"Pod","name":"p1"},"reportingController":"kubelet","reportingInstance":"n1"}
            """);
        Assert.Equal(["60s", "Normal", "Pulled", "pod/p1", "", "kubelet, n1", "pulled", "60s", 1L, "e1"], row);
    }

    [Fact]
    public void Namespace_SecretConfigMapServiceAccount()
    {
        Assert.Equal(["ns", "Active", "9d"], Row("", "namespaces", """{"metadata":{"name":"ns","creationTimestamp":"2025-01-01T00:00:00Z"},"status":{"phase":"Active"}}"""));
        Assert.Equal(["s", "kubernetes.io/tls", 2L, "<unknown>"], Row("", "secrets", """{"metadata":{"name":"s"},"type":"kubernetes.io/tls","data":{"tls.crt":"","tls.key":""}}"""));
        Assert.Equal(["sa", 0L, "<unknown>"], Row("", "serviceaccounts", """{"metadata":{"name":"sa"}}"""));
    }

    [Fact]
    public void Endpoints_FormatsLikeUpstream()
    {
        var row = Row("", "endpoints", """
            {"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"1.1.1.1"},{"ip":"2.2.2.2"}],"ports":[{"port":80},{"port":443}]}]}
            """);
        Assert.Equal("1.1.1.1:80,2.2.2.2:80,1.1.1.1:443 + 1 more...", row[1]);
        Assert.Equal("<none>", Row("", "endpoints", """{"metadata":{"name":"e"}}""")[1]);
    }

    [Fact]
    public void EndpointSlice_PortsAndEndpointsWithMore()
    {
        var row = Row("discovery.k8s.io", "endpointslices", """
            {"metadata":{"name":"es"},"addressType":"IPv4","ports":[{"port":80},{"name":"x"}],
             "endpoints":[{"addresses":["1.1.1.1"]},{"addresses":["2.2.2.2"]},{"addresses":["3.3.3.3"]},{"addresses":["4.4.4.4"]}]}
            """);
        Assert.Equal(["es", "IPv4", "80,x", "1.1.1.1,2.2.2.2,3.3.3.3 + 1 more...", "<unknown>"], row);
        Assert.Equal("<unset>", Row("discovery.k8s.io", "endpointslices", """{"metadata":{"name":"es"},"addressType":"IPv4"}""")[2]);
    }

    [Fact]
    public void CronJob_ScheduleSuspendActiveLastSchedule()
    {
        var row = Row("batch", "cronjobs", """
            {"metadata":{"name":"c"},"spec":{"schedule":"0/5 * * * ?","suspend":false,"jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"a","image":"b"}]}}}}},
             "status":{"lastScheduleTime":"2025-01-09T23:30:00Z","active":[{"name":"j"}]}}
            """);
        Assert.Equal(["c", "0/5 * * * ?", "<none>", "False", 1L, "30m", "<unknown>", "a", "b", "<none>"], row);
    }

    [Fact]
    public void Job_RunningAndParallelCompletions()
    {
        var row = Row("batch", "jobs", """{"metadata":{"name":"j"},"spec":{"parallelism":2},"status":{"succeeded":1,"startTime":"2025-01-09T23:59:00Z"}}""");
        Assert.Equal("Running", row[1]);
        Assert.Equal("1/1 of 2", row[2]);
        Assert.Equal("60s", row[3]);
    }

    [Fact]
    public void PodDisruptionBudget_IntOrStringAndNA()
    {
        Assert.Equal(["pdb", "22", "N/A", 5L, "<unknown>"], Row("policy", "poddisruptionbudgets", """{"metadata":{"name":"pdb"},"spec":{"minAvailable":22},"status":{"disruptionsAllowed":5}}"""));
        Assert.Equal("10%", Row("policy", "poddisruptionbudgets", """{"metadata":{"name":"pdb"},"spec":{"maxUnavailable":"10%"}}""")[2]);
    }

    [Fact]
    public void HorizontalPodAutoscaler_ReferenceTargetsMinMax()
    {
        var row = Row("autoscaling", "horizontalpodautoscalers", """
            {"metadata":{"name":"h"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"minReplicas":1,"maxReplicas":10,
              "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}}]},
             "status":{"currentReplicas":2,"currentMetrics":[{"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":35}}}]}}
            """);
        Assert.Equal(["h", "Deployment/web", "cpu: 35%/80%", "1", 10L, 2L, "<unknown>"], row);
    }

    [Fact]
    public void StorageClass_DefaultMarkerAndDefaults()
    {
        var row = Row("storage.k8s.io", "storageclasses", """{"metadata":{"name":"std","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},"provisioner":"p"}""");
        Assert.Equal(["std (default)", "p", "Delete", "Immediate", false, "<unknown>"], row);
    }

    [Fact]
    public void Ingress_HostsAddressPorts()
    {
        var row = Row("networking.k8s.io", "ingresses", """
            {"metadata":{"name":"i"},"spec":{"ingressClassName":"nginx","tls":[{}],"rules":[{"host":"a.com"},{"host":"b.com"},{"host":"c.com"},{"host":"d.com"}]},
             "status":{"loadBalancer":{"ingress":[{"ip":"5.5.5.5"},{"hostname":"lb.example"}]}}}
            """);
        Assert.Equal(["i", "nginx", "a.com,b.com,c.com + 1 more...", "5.5.5.5,lb.example", "80, 443", "<unknown>"], row);
        Assert.Equal("*", Row("networking.k8s.io", "ingresses", """{"metadata":{"name":"i"},"spec":{"rules":[{}]}}""")[2]);
    }

    [Fact]
    public void RoleBinding_RoleAndSubjects()
    {
        var row = Row("rbac.authorization.k8s.io", "rolebindings", """
            {"metadata":{"name":"rb"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},
             "subjects":[{"kind":"User","name":"u1"},{"kind":"User","name":"u2"},{"kind":"Group","name":"g"},{"kind":"ServiceAccount","name":"sa","namespace":"ns"}]}
            """);
        Assert.Equal(["rb", "ClusterRole/view", "<unknown>", "u1, u2", "g", "ns/sa"], row);
    }

    [Fact]
    public void ControllerRevision_ControllerColumn()
    {
        var row = Row("apps", "controllerrevisions", """
            {"metadata":{"name":"cr","ownerReferences":[{"apiVersion":"apps/v1","kind":"StatefulSet","name":"web","controller":true}]},"revision":3}
            """);
        Assert.Equal(["cr", "statefulset.apps/web", 3L, "<unknown>"], row);
    }

    [Fact]
    public void ResourceQuota_RequestAndLimitColumns()
    {
        var row = Row("", "resourcequotas", """
            {"metadata":{"name":"q"},"status":{"hard":{"pods":"10","limits.cpu":"2","requests.memory":"1Gi"},"used":{"pods":"1","limits.cpu":"0","requests.memory":"0"}}}
            """);
        Assert.Equal(["q", "pods: 1/10, requests.memory: 0/1Gi", "limits.cpu: 0/2", "<unknown>"], row);
    }

    [Fact]
    public void PersistentVolumeClaim_BoundShowsCapacityAndModes()
    {
        var row = Row("", "persistentvolumeclaims", """
            {"metadata":{"name":"c"},"spec":{"volumeName":"pv1","storageClassName":"std","accessModes":["ReadWriteOnce"],"volumeMode":"Filesystem"},
             "status":{"phase":"Bound","capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce","ReadOnlyMany"]}}
            """);
        Assert.Equal(["c", "Bound", "pv1", "1Gi", "RWO,ROX", "std", "<unset>", "<unknown>", "Filesystem"], row);
    }
}
