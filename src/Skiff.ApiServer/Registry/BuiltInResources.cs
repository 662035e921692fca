using Skiff.ApiServer.Endpoints.Subresources;
using Skiff.ApiServer.Registry.ApiExtensions;
using Skiff.ApiServer.Registry.Apps;
using Skiff.ApiServer.Registry.Autoscaling;
using Skiff.ApiServer.Registry.Batch;
using Skiff.ApiServer.Registry.Certificates;
using Skiff.ApiServer.Registry.Coordination;
using Skiff.ApiServer.Registry.Core;
using Skiff.ApiServer.Registry.Core.Allocation;
using Skiff.ApiServer.Registry.Discovery;
using Skiff.ApiServer.Registry.Networking;
using Skiff.ApiServer.Registry.Policy;
using Skiff.ApiServer.Registry.Rbac;
using Skiff.ApiServer.Registry.Scheduling;
using Skiff.ApiServer.Registry.Storage;

namespace Skiff.ApiServer.Registry;

/// <summary>
/// The catalogue of built-in resources, as a 1.32 API server's discovery lists them: kind, plural, singular,
/// scope, verbs, short names, categories and subresources (with the group/version/kind each subresource takes),
/// each with its strategy. Resources are listed group by group, alphabetically within a group version.
/// </summary>
public static class BuiltInResources
{
    private static readonly string[] StatusVerbs = ["get", "patch", "update"];
    private static readonly string[] ProxyVerbs = ["create", "delete", "get", "patch", "update"];
    private static readonly string[] All = ["all"];

    /// <summary>Builds the descriptors; strategies that allocate (services) share allocators built from <paramref name="options"/>.</summary>
    public static IReadOnlyList<ResourceDescriptor> Create(BuiltInResourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var allocators = CreateAllocators(options);
        var list = new List<ResourceDescriptor>();
        list.AddRange(CoreV1(allocators));
        list.AddRange(AppsV1());
        list.AddRange(Others());
        return list;
    }

    /// <summary>The allocators the service strategy of <see cref="Create"/> uses for <paramref name="options"/>.</summary>
    public static ServiceAllocators CreateAllocators(BuiltInResourceOptions options) =>
        new(options.ServiceClusterIpRange, options.NodePortBase, options.NodePortSize);

    /// <summary>The cluster IP of the <c>kubernetes</c> service (the first address of the service range).</summary>
    public static string KubernetesServiceIp(BuiltInResourceOptions options) => CreateAllocators(options).KubernetesServiceIp;

    private static IEnumerable<ResourceDescriptor> CoreV1(ServiceAllocators allocators)
    {
        yield return R("", "v1", "bindings", "binding", "Binding", true, new SimpleStrategy(), verbs: ["create"]) with { Stored = false, Handler = BindingHandler.Instance };
        yield return R("", "v1", "componentstatuses", "componentstatus", "ComponentStatus", false, new SimpleStrategy(ComponentStatusTable.Table), verbs: ["get", "list"], shortNames: ["cs"]) with { Stored = false };
        yield return R("", "v1", "configmaps", "configmap", "ConfigMap", true, ConfigMapStrategy.Instance, shortNames: ["cm"]);
        yield return R("", "v1", "endpoints", "endpoints", "Endpoints", true, EndpointsStrategy.Instance, shortNames: ["ep"]);
        yield return R("", "v1", "events", "event", "Event", true, Core.EventStrategy.Instance, shortNames: ["ev"]);
        yield return R("", "v1", "limitranges", "limitrange", "LimitRange", true, LimitRangeStrategy.Instance, shortNames: ["limits"]);
        yield return R("", "v1", "namespaces", "namespace", "Namespace", false, NamespaceStrategy.Instance, shortNames: ["ns"],
            verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
            subresources: [new("finalize", "", "v1", "Namespace", ["update"]) { Handler = ObjectSubresourceHandler.UpdateOnly }, Status("", "v1", "Namespace")]);
        yield return R("", "v1", "nodes", "node", "Node", false, NodeStrategy.Instance, shortNames: ["no"],
            subresources: [new("proxy", "", "v1", "NodeProxyOptions", ProxyVerbs) { Handler = ProxyHandler.Instance }, Status("", "v1", "Node")]);
        yield return R("", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true, PersistentVolumeClaimStrategy.Instance,
            shortNames: ["pvc"], subresources: [Status("", "v1", "PersistentVolumeClaim")]);
        yield return R("", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", false, PersistentVolumeStrategy.Instance,
            shortNames: ["pv"], subresources: [Status("", "v1", "PersistentVolume")]);
        yield return R("", "v1", "pods", "pod", "Pod", true, PodStrategy.Instance, shortNames: ["po"], categories: All,
            subresources:
            [
                new("attach", "", "v1", "PodAttachOptions", ["create", "get"]) { Handler = PodConnectHandler.Instance },
                new("binding", "", "v1", "Binding", ["create"]) { Handler = BindingHandler.Instance },
                new("ephemeralcontainers", "", "v1", "Pod", StatusVerbs) { Handler = ObjectSubresourceHandler.Instance },
                new("eviction", "policy", "v1", "Eviction", ["create"]) { Handler = EvictionHandler.Instance },
                new("exec", "", "v1", "PodExecOptions", ["create", "get"]) { Handler = PodConnectHandler.Instance },
                new("log", "", "v1", "Pod", ["get"]) { Handler = PodLogHandler.Instance },
                new("portforward", "", "v1", "PodPortForwardOptions", ["create", "get"]) { Handler = PodConnectHandler.Instance },
                new("proxy", "", "v1", "PodProxyOptions", ProxyVerbs) { Handler = ProxyHandler.Instance },
                Status("", "v1", "Pod"),
            ]);
        yield return R("", "v1", "podtemplates", "podtemplate", "PodTemplate", true, PodTemplateStrategy.Instance);
        yield return R("", "v1", "replicationcontrollers", "replicationcontroller", "ReplicationController", true, ReplicationControllerStrategy.Instance,
            shortNames: ["rc"], categories: All, subresources: [Scale, Status("", "v1", "ReplicationController")]);
        yield return R("", "v1", "resourcequotas", "resourcequota", "ResourceQuota", true, ResourceQuotaStrategy.Instance,
            shortNames: ["quota"], subresources: [Status("", "v1", "ResourceQuota")]);
        yield return R("", "v1", "secrets", "secret", "Secret", true, SecretStrategy.Instance);
        yield return R("", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, ServiceAccountStrategy.Instance,
            shortNames: ["sa"], subresources: [new("token", "authentication.k8s.io", "v1", "TokenRequest", ["create"]) { Handler = TokenRequestHandler.Instance }]);
        yield return R("", "v1", "services", "service", "Service", true, new ServiceStrategy(allocators), shortNames: ["svc"], categories: All,
            subresources: [new("proxy", "", "v1", "ServiceProxyOptions", ProxyVerbs) { Handler = ProxyHandler.Instance }, Status("", "v1", "Service")]);
    }

    private static IEnumerable<ResourceDescriptor> AppsV1()
    {
        yield return R("apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", true, ControllerRevisionStrategy.Instance);
        yield return R("apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, DaemonSetStrategy.Instance, shortNames: ["ds"], categories: All,
            subresources: [Status("apps", "v1", "DaemonSet")]);
        yield return R("apps", "v1", "deployments", "deployment", "Deployment", true, DeploymentStrategy.Instance, shortNames: ["deploy"], categories: All,
            subresources: [Scale, Status("apps", "v1", "Deployment")]);
        yield return R("apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, ReplicaSetStrategy.Instance, shortNames: ["rs"], categories: All,
            subresources: [Scale, Status("apps", "v1", "ReplicaSet")]);
        yield return R("apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, StatefulSetStrategy.Instance, shortNames: ["sts"], categories: All,
            subresources: [Scale, Status("apps", "v1", "StatefulSet")]);
    }

    private static IEnumerable<ResourceDescriptor> Others()
    {
        // Virtual, create-only reviews: the API server answers them without storing anything.
        yield return R("authentication.k8s.io", "v1", "selfsubjectreviews", "selfsubjectreview", "SelfSubjectReview", false, new SimpleStrategy(), verbs: ["create"]) with { Stored = false, Handler = SelfSubjectReviewHandler.Instance };
        yield return R("authentication.k8s.io", "v1", "tokenreviews", "tokenreview", "TokenReview", false, new SimpleStrategy(), verbs: ["create"]) with { Stored = false, Handler = TokenReviewHandler.Instance };
        yield return R("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview", false, new SimpleStrategy(), verbs: ["create"]) with { Stored = false, Handler = AccessReviewHandler.Self };
        yield return R("authorization.k8s.io", "v1", "subjectaccessreviews", "subjectaccessreview", "SubjectAccessReview", false, new SimpleStrategy(), verbs: ["create"]) with { Stored = false, Handler = AccessReviewHandler.Subject };
        yield return R("authorization.k8s.io", "v1", "localsubjectaccessreviews", "localsubjectaccessreview", "LocalSubjectAccessReview", true, new SimpleStrategy(), verbs: ["create"]) with { Stored = false, Handler = AccessReviewHandler.Local };
        yield return R("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "selfsubjectrulesreview", "SelfSubjectRulesReview", false, new SimpleStrategy(), verbs: ["create"]) with { Stored = false, Handler = SelfSubjectRulesReviewHandler.Instance };
        yield return R("autoscaling", "v2", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", true,
            HorizontalPodAutoscalerStrategy.Instance, shortNames: ["hpa"], categories: All, subresources: [Status("autoscaling", "v2", "HorizontalPodAutoscaler")]);

        // autoscaling/v1 is served from the v2 storage, as upstream 1.32 stores autoscaling/v2.
        yield return R("autoscaling", "v1", "horizontalpodautoscalers", "horizontalpodautoscaler", "HorizontalPodAutoscaler", true,
            HorizontalPodAutoscalerV1Strategy.Instance, shortNames: ["hpa"], categories: All, subresources: [Status("autoscaling", "v1", "HorizontalPodAutoscaler")])
            with { StorageGroupVersion = "autoscaling/v2", Converter = HorizontalPodAutoscalerV1Converter.Instance };
        yield return R("batch", "v1", "cronjobs", "cronjob", "CronJob", true, CronJobStrategy.Instance, shortNames: ["cj"], categories: All,
            subresources: [Status("batch", "v1", "CronJob")]);
        yield return R("batch", "v1", "jobs", "job", "Job", true, JobStrategy.Instance, categories: All, subresources: [Status("batch", "v1", "Job")]);
        yield return R("certificates.k8s.io", "v1", "certificatesigningrequests", "certificatesigningrequest", "CertificateSigningRequest", false,
            CertificateSigningRequestStrategy.Instance, shortNames: ["csr"],
            subresources: [new("approval", "certificates.k8s.io", "v1", "CertificateSigningRequest", StatusVerbs) { Handler = ObjectSubresourceHandler.Instance }, Status("certificates.k8s.io", "v1", "CertificateSigningRequest")]);
        yield return R("coordination.k8s.io", "v1", "leases", "lease", "Lease", true, LeaseStrategy.Instance);
        yield return R("discovery.k8s.io", "v1", "endpointslices", "endpointslice", "EndpointSlice", true, EndpointSliceStrategy.Instance);
        yield return R("events.k8s.io", "v1", "events", "event", "Event", true, Events.EventStrategy.Instance, shortNames: ["ev"]) with { StorageGroupVersion = "v1" };
        yield return R("flowcontrol.apiserver.k8s.io", "v1", "flowschemas", "flowschema", "FlowSchema", false, FlowControl.FlowSchemaStrategy.Instance,
            subresources: [Status("flowcontrol.apiserver.k8s.io", "v1", "FlowSchema")]);
        yield return R("flowcontrol.apiserver.k8s.io", "v1", "prioritylevelconfigurations", "prioritylevelconfiguration", "PriorityLevelConfiguration", false,
            FlowControl.PriorityLevelConfigurationStrategy.Instance, subresources: [Status("flowcontrol.apiserver.k8s.io", "v1", "PriorityLevelConfiguration")]);
        yield return R("networking.k8s.io", "v1", "ingressclasses", "ingressclass", "IngressClass", false, IngressClassStrategy.Instance);
        yield return R("networking.k8s.io", "v1", "ingresses", "ingress", "Ingress", true, IngressStrategy.Instance, shortNames: ["ing"],
            subresources: [Status("networking.k8s.io", "v1", "Ingress")]);
        yield return R("networking.k8s.io", "v1", "networkpolicies", "networkpolicy", "NetworkPolicy", true, NetworkPolicyStrategy.Instance, shortNames: ["netpol"]);
        yield return R("policy", "v1", "poddisruptionbudgets", "poddisruptionbudget", "PodDisruptionBudget", true, PodDisruptionBudgetStrategy.Instance,
            shortNames: ["pdb"], subresources: [Status("policy", "v1", "PodDisruptionBudget")]);
        yield return R("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", false, ClusterRoleBindingStrategy.Instance);
        yield return R("rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", false, ClusterRoleStrategy.Instance);
        yield return R("rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", true, RoleBindingStrategy.Instance);
        yield return R("rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true, RoleStrategy.Instance);
        yield return R("scheduling.k8s.io", "v1", "priorityclasses", "priorityclass", "PriorityClass", false, PriorityClassStrategy.Instance, shortNames: ["pc"]);
        yield return R("storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", false, StorageClassStrategy.Instance, shortNames: ["sc"]);
        yield return R("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition", "CustomResourceDefinition", false,
            CustomResourceDefinitionStrategy.Instance, shortNames: ["crd", "crds"], categories: ["api-extensions"],
            subresources: [Status("apiextensions.k8s.io", "v1", "CustomResourceDefinition")]);
        yield return R("admissionregistration.k8s.io", "v1", "mutatingwebhookconfigurations", "mutatingwebhookconfiguration", "MutatingWebhookConfiguration", false,
            AdmissionRegistration.WebhookConfigurationStrategy.MutatingInstance, categories: ["api-extensions"]);
        yield return R("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations", "validatingwebhookconfiguration", "ValidatingWebhookConfiguration", false,
            AdmissionRegistration.WebhookConfigurationStrategy.Validating, categories: ["api-extensions"]);
        yield return R("admissionregistration.k8s.io", "v1", "validatingadmissionpolicies", "validatingadmissionpolicy", "ValidatingAdmissionPolicy", false,
            AdmissionRegistration.ValidatingAdmissionPolicyStrategy.Instance, categories: ["api-extensions"],
            subresources: [Status("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy")]);
        yield return R("admissionregistration.k8s.io", "v1", "validatingadmissionpolicybindings", "validatingadmissionpolicybinding", "ValidatingAdmissionPolicyBinding", false,
            AdmissionRegistration.ValidatingAdmissionPolicyBindingStrategy.Instance, categories: ["api-extensions"]);
        yield return R("apiregistration.k8s.io", "v1", "apiservices", "apiservice", "APIService", false,
            ApiRegistration.ApiServiceStrategy.Instance, categories: ["api-extensions"],
            subresources: [Status("apiregistration.k8s.io", "v1", "APIService")]);
    }

    private static SubresourceDescriptor Scale { get; } = new("scale", "autoscaling", "v1", "Scale", StatusVerbs) { Handler = ScaleSubresourceHandler.Instance };

    private static SubresourceDescriptor Status(string group, string version, string kind) =>
        new("status", group, version, kind, StatusVerbs) { Handler = ObjectSubresourceHandler.Instance };

    private static ResourceDescriptor R(
        string group,
        string version,
        string resource,
        string singular,
        string kind,
        bool namespaced,
        IResourceStrategy strategy,
        string[]? verbs = null,
        string[]? shortNames = null,
        string[]? categories = null,
        SubresourceDescriptor[]? subresources = null) => new()
        {
            Group = group,
            Version = version,
            Resource = resource,
            SingularName = singular,
            Kind = kind,
            Namespaced = namespaced,
            Strategy = strategy,
            Verbs = verbs ?? ResourceDescriptor.StandardVerbs,
            ShortNames = shortNames ?? [],
            Categories = categories ?? [],
            Subresources = subresources ?? [],
        };
}
