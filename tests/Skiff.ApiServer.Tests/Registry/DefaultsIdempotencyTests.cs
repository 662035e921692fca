using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry;

public class DefaultsIdempotencyTests
{
    private const string Template = """{"metadata":{"labels":{"app":"a"}},"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"i","ports":[{"containerPort":80}],"livenessProbe":{"httpGet":{"port":80}},"resources":{"limits":{"cpu":"1"}},"env":[{"name":"N","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}]}],"volumes":[{"name":"v"},{"name":"s","secret":{"secretName":"x"}}]}}""";

    public static TheoryData<string, string, string> Samples() => new()
    {
        { "", "pods", """{"metadata":{"name":"p"},"spec":TEMPLATE_SPEC}""" },
        { "", "services", """{"metadata":{"name":"s"},"spec":{"type":"LoadBalancer","sessionAffinity":"ClientIP","ports":[{"port":80}]}}""" },
        { "", "namespaces", """{"metadata":{"name":"n"}}""" },
        { "", "secrets", """{"metadata":{"name":"s"},"stringData":{"a":"b"}}""" },
        { "", "endpoints", """{"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"1.2.3.4"}],"ports":[{"port":80}]}]}""" },
        { "", "persistentvolumes", """{"metadata":{"name":"pv"},"spec":{"capacity":{"storage":"1Gi"},"accessModes":["ReadWriteOnce"]}}""" },
        { "", "persistentvolumeclaims", """{"metadata":{"name":"pvc"},"spec":{"accessModes":["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}""" },
        { "", "replicationcontrollers", """{"metadata":{"name":"rc"},"spec":{"template":TEMPLATE}}""" },
        { "", "podtemplates", """{"metadata":{"name":"pt"},"template":TEMPLATE}""" },
        { "apps", "deployments", """{"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"app":"a"}},"template":TEMPLATE}}""" },
        { "apps", "statefulsets", """{"metadata":{"name":"s"},"spec":{"selector":{"matchLabels":{"app":"a"}},"template":TEMPLATE,"volumeClaimTemplates":[{"metadata":{"name":"d"},"spec":{}}]}}""" },
        { "apps", "daemonsets", """{"metadata":{"name":"d"},"spec":{"selector":{"matchLabels":{"app":"a"}},"template":TEMPLATE}}""" },
        { "apps", "replicasets", """{"metadata":{"name":"r"},"spec":{"selector":{"matchLabels":{"app":"a"}},"template":TEMPLATE}}""" },
        { "batch", "jobs", """{"metadata":{"name":"j","uid":"u"},"spec":{"template":TEMPLATE}}""" },
        { "batch", "cronjobs", """{"metadata":{"name":"c"},"spec":{"schedule":"* * * * *","jobTemplate":{"spec":{"template":TEMPLATE}}}}""" },
        { "autoscaling", "horizontalpodautoscalers", """{"metadata":{"name":"h"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"d"},"maxReplicas":3}}""" },
        { "networking.k8s.io", "networkpolicies", """{"metadata":{"name":"n"},"spec":{"egress":[{"ports":[{"port":53}]}]}}""" },
        { "storage.k8s.io", "storageclasses", """{"metadata":{"name":"sc"},"provisioner":"x"}""" },
        { "scheduling.k8s.io", "priorityclasses", """{"metadata":{"name":"pc"},"value":10}""" },
        { "flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", """{"metadata":{"name":"p"},"spec":{"type":"Limited","limited":{"limitResponse":{"type":"Queue","queuing":{}}}}}""" },
        { "flowcontrol.apiserver.k8s.io", "flowschemas", """{"metadata":{"name":"f"},"spec":{"priorityLevelConfiguration":{"name":"x"}}}""" },
        { "discovery.k8s.io", "endpointslices", """{"metadata":{"name":"es"},"addressType":"IPv4","ports":[{"port":80}]}""" },
        { "apiextensions.k8s.io", "customresourcedefinitions", """{"metadata":{"name":"foos.example.com"},"spec":{"group":"example.com","scope":"Namespaced","names":{"plural":"foos","kind":"Foo"},"versions":[{"name":"v1","served":true,"storage":true}]}}""" },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void ApplyDefaults_Twice_SameAsOnce(string group, string resource, string json)
    {
        var d = BuiltInResources.Create(new BuiltInResourceOptions()).First(x => x.Group == group && x.Resource == resource);
        json = json.Replace("TEMPLATE_SPEC", JsonNode.Parse(Template)!["spec"]!.ToJsonString()).Replace("TEMPLATE", Template);
        var obj = (JsonObject)JsonNode.Parse(json)!;
        d.Strategy.PrepareForCreate(obj);
        d.Strategy.ApplyDefaults(obj);
        var once = obj.ToJsonString();
        d.Strategy.ApplyDefaults(obj);
        Assert.Equal(once, obj.ToJsonString());
        Assert.NotEqual(json, once);
    }
}
