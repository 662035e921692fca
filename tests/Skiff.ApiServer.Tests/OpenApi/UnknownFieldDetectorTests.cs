using Xunit;
using System.Text.Json.Nodes;
using Skiff.ApiServer.OpenApi;

namespace Skiff.ApiServer.Tests.OpenApi;

public class UnknownFieldDetectorTests
{
    private static readonly OpenApiService Service = TestResources.Service();

    private static IReadOnlyList<string> Find(string group, string version, string kind, string json) =>
        Service.FindUnknownFields(group, version, kind, JsonNode.Parse(json)!.AsObject());

    [Fact]
    public void FindUnknownFields_ValidPod_FindsNone()
    {
        var found = Find("", "v1", "Pod", """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"x","a.b/c":"d"},"annotations":{"k":"v"},
             "ownerReferences":[{"apiVersion":"v1","kind":"X","name":"o","uid":"u"}]},
             "spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80}],
               "resources":{"limits":{"cpu":"100m","memory":1024}},
               "livenessProbe":{"httpGet":{"port":"http","path":"/"}},"env":[{"name":"A","value":"1"}]}],
               "volumes":[{"name":"v","emptyDir":{}},{"name":"s","configMap":{"name":"cm"}}],
               "nodeSelector":{"disk":"ssd"}},
             "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True","lastTransitionTime":"2024-01-01T00:00:00Z"}]}}
            """);
        Assert.Empty(found);
    }

    [Fact]
    public void FindUnknownFields_UnknownFieldsAtSeveralDepths_ReportsUpstreamPaths()
    {
        var found = Find("", "v1", "Pod", """
            {"apiVersion":"v1","kind":"Pod","foo":1,"metadata":{"name":"p","bogus":true},
             "spec":{"containers":[{"name":"a","image":"x"},{"name":"c","image":"x","imagePullPolicyy":"Always",
               "resources":{"limits":{"cpu":"1"},"extra":{}}}],"bar":{"baz":1}}}
            """);
        Assert.Equal([".foo", ".metadata.bogus", ".spec.containers[1].imagePullPolicyy", ".spec.containers[1].resources.extra", ".spec.bar"], found);
    }

    [Fact]
    public void FindUnknownFields_IntOrStringAndQuantity_AcceptAnyShape()
    {
        var found = Find("", "v1", "Service", """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},
             "spec":{"ports":[{"port":80,"targetPort":"http"},{"port":81,"targetPort":8081}],"selector":{"app":"x"}}}
            """);
        Assert.Empty(found);
    }

    [Fact]
    public void FindUnknownFields_EmbeddedRawExtension_IsNotChecked()
    {
        var found = Find("apps", "v1", "ControllerRevision", """
            {"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"r"},"revision":1,
             "data":{"spec":{"anything":{"goes":[1,2]}}}}
            """);
        Assert.Empty(found);
    }

    [Fact]
    public void FindUnknownFields_CrdWithArbitraryJsonInSchema_FindsOnlyRealUnknowns()
    {
        var found = Find("apiextensions.k8s.io", "v1", "CustomResourceDefinition", """
            {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"crontabs.stable.example.com"},
             "spec":{"group":"stable.example.com","scope":"Namespaced","names":{"plural":"crontabs","kind":"CronTab"},
               "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",
                 "properties":{"spec":{"type":"object","default":{"a":{"b":1}},"enum":[{"x":1}],"additionalProperties":true,
                   "items":{"type":"string"},"x-kubernetes-preserve-unknown-fields":true}}}},
                 "unknownVersionField":1}]}}
            """);
        Assert.Equal([".spec.versions[0].unknownVersionField"], found);
    }

    [Fact]
    public void FindUnknownFields_CustomResourceWithSchema_HonoursStructuralExtensions()
    {
        var found = Find("stable.example.com", "v1", "CronTab", """
            {"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"c","labels":{"a":"b"},"nope":1},
             "spec":{"cronSpec":"* * * * *","port":"http","config":{"free":{"form":true}},
               "template":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"x"},"spec":{"a":"1","b":"2"}},
               "tags":{"x":"y"},"items":[{"name":"n","extra":1}],"unknown":1},
             "status":{"ready":true}}
            """);
        Assert.Equal([".metadata.nope", ".spec.template.spec.b", ".spec.items[0].extra", ".spec.unknown"], found);
    }

    [Fact]
    public void FindUnknownFields_CustomResourceWithoutSchema_FindsNone()
    {
        Assert.Empty(Find("stable.example.com", "v1", "Widget", """{"apiVersion":"stable.example.com/v1","kind":"Widget","spec":{"x":1},"y":2}"""));
    }

    [Fact]
    public void FindUnknownFields_UnknownKind_FindsNone()
    {
        Assert.Empty(Find("nowhere.example.com", "v1", "Thing", """{"spec":{"x":1}}"""));
    }

    [Fact]
    public void StrictErrorMessage_TwoFields_MatchesUpstreamText()
    {
        Assert.Equal("unknown field \"spec.containers[0].foo\"", UnknownFieldDetector.Describe(".spec.containers[0].foo"));
        Assert.Equal("strict decoding error: unknown field \"spec.foo\", unknown field \"bar\"",
            UnknownFieldDetector.StrictErrorMessage([".spec.foo", ".bar"]));
    }
}
