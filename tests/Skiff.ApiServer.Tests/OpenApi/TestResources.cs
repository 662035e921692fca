using System.Text.Json.Nodes;
using Skiff.ApiServer.OpenApi;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.Tests.OpenApi;

/// <summary>A small resource set like the built-in catalogue's, plus one custom resource with a schema.</summary>
internal static class TestResources
{
    public static ResourceDescriptor Pods { get; } = new()
    {
        Group = "", Version = "v1", Resource = "pods", SingularName = "pod", Kind = "Pod", Namespaced = true,
        ShortNames = ["po"], Categories = ["all"], Strategy = DefaultStrategy.Instance,
        Subresources =
        [
            new("status", "", "v1", "Pod", ["get", "patch", "update"]),
            new("binding", "", "v1", "Binding", ["create"]),
            new("eviction", "policy", "v1", "Eviction", ["create"]),
            new("log", "", "v1", "", ["get"]),
            new("exec", "", "v1", "PodExecOptions", ["create", "get"]),
        ],
    };

    public static ResourceDescriptor Namespaces { get; } = new()
    {
        Group = "", Version = "v1", Resource = "namespaces", SingularName = "namespace", Kind = "Namespace", Namespaced = false,
        Strategy = DefaultStrategy.Instance,
        Verbs = ["create", "delete", "get", "list", "patch", "update", "watch"],
    };

    public static ResourceDescriptor Deployments { get; } = new()
    {
        Group = "apps", Version = "v1", Resource = "deployments", SingularName = "deployment", Kind = "Deployment", Namespaced = true,
        Strategy = DefaultStrategy.Instance,
        Subresources =
        [
            new("scale", "autoscaling", "v1", "Scale", ["get", "patch", "update"]),
            new("status", "apps", "v1", "Deployment", ["get", "patch", "update"]),
        ],
    };

    public static ResourceDescriptor Leases { get; } = new()
    {
        Group = "coordination.k8s.io", Version = "v1", Resource = "leases", SingularName = "lease", Kind = "Lease", Namespaced = true,
        Strategy = DefaultStrategy.Instance,
    };

    public static ResourceDescriptor Crds { get; } = new()
    {
        Group = "apiextensions.k8s.io", Version = "v1", Resource = "customresourcedefinitions", SingularName = "customresourcedefinition",
        Kind = "CustomResourceDefinition", Namespaced = false, Strategy = DefaultStrategy.Instance,
    };

    public static ResourceDescriptor CronTabs { get; } = new()
    {
        Group = "stable.example.com", Version = "v1", Resource = "crontabs", SingularName = "crontab", Kind = "CronTab", Namespaced = true,
        Strategy = DefaultStrategy.Instance, Custom = true,
    };

    public static ResourceDescriptor Widgets { get; } = new()
    {
        Group = "stable.example.com", Version = "v1", Resource = "widgets", SingularName = "widget", Kind = "Widget", Namespaced = true,
        Strategy = DefaultStrategy.Instance, Custom = true,
    };

    public static ResourceDescriptor SelfSubjectAccessReviews { get; } = new()
    {
        Group = "authorization.k8s.io", Version = "v1", Resource = "selfsubjectaccessreviews", SingularName = "selfsubjectaccessreview",
        Kind = "SelfSubjectAccessReview", Namespaced = false, Strategy = DefaultStrategy.Instance, Verbs = ["create"],
    };

    public static IReadOnlyList<ResourceDescriptor> All { get; } = [Pods, Namespaces, Deployments, Leases, Crds, CronTabs, Widgets, SelfSubjectAccessReviews];

    /// <summary>CronTab has a structural schema; Widget has none (accepts anything).</summary>
    public static CustomResourceSchema CronTabSchema { get; } = new("stable.example.com", "v1", "CronTab", JsonNode.Parse("""
        {"type":"object","properties":{
          "spec":{"type":"object","properties":{
            "cronSpec":{"type":"string"},
            "replicas":{"type":"integer"},
            "port":{"x-kubernetes-int-or-string":true},
            "config":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
            "template":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object","properties":{"a":{"type":"string"}}}}},
            "tags":{"type":"object","additionalProperties":{"type":"string"}},
            "items":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}}}}}},
          "status":{"type":"object","properties":{"ready":{"type":"boolean"}}}}}
        """)!.AsObject());

    public static OpenApiService Service() => new(All, [CronTabSchema]);
}
