namespace Skiff.OpenApiGen;

/// <summary>
/// Strategic-merge and list/map facts of the served built-in types, which the KubernetesClient models do not carry:
/// upstream's <c>patchStrategy</c>/<c>patchMergeKey</c> struct tags and <c>+listType</c>/<c>+listMapKey</c>/
/// <c>+mapType</c>/<c>+structType</c> markers at Kubernetes 1.32 (kubernetes/api, kubernetes/apimachinery and
/// kubernetes/apiextensions-apiserver at v0.32.9), which upstream's OpenAPI turns into
/// <c>x-kubernetes-patch-merge-key</c>, <c>x-kubernetes-patch-strategy</c>, <c>x-kubernetes-list-type</c>,
/// <c>x-kubernetes-list-map-keys</c> and <c>x-kubernetes-map-type</c>.
/// One line per fact: <c>schema field key=value…</c>; field <c>.</c> means the schema itself.
/// Keys: <c>merge-key</c>, <c>strategy</c>, <c>list</c>, <c>keys</c> (comma-separated), <c>map</c>.
/// Fields of inlined Go structs (Volume ← VolumeSource) are listed under the outer schema, as the models flatten them.
/// </summary>
internal static class PatchFacts
{
    /// <summary>Facts for (schema name, JSON field name); field "." is the schema itself.</summary>
    public static IReadOnlyDictionary<(string Schema, string Field), FieldFacts> All { get; } = Parse(Table);

    private static Dictionary<(string Schema, string Field), FieldFacts> Parse(string text)
    {
        var result = new Dictionary<(string, string), FieldFacts>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var facts = new FieldFacts();
            foreach (var kv in parts.Skip(2))
            {
                var (key, value) = (kv[..kv.IndexOf('=')], kv[(kv.IndexOf('=') + 1)..]);
                facts = key switch
                {
                    "merge-key" => facts with { PatchMergeKey = value },
                    "strategy" => facts with { PatchStrategy = value },
                    "list" => facts with { ListType = value },
                    "keys" => facts with { ListMapKeys = value.Split(',') },
                    "map" => facts with { MapType = value },
                    _ => throw new FormatException($"unknown fact key {key} in: {line}"),
                };
            }

            result.Add((parts[0], parts[1]), facts);
        }

        return result;
    }

    private const string Table = """
io.k8s.api.admissionregistration.v1.MatchResources . map=atomic
io.k8s.api.admissionregistration.v1.MatchResources resourceRules list=atomic
io.k8s.api.admissionregistration.v1.MatchResources excludeResourceRules list=atomic
io.k8s.api.admissionregistration.v1.MutatingWebhook rules list=atomic
io.k8s.api.admissionregistration.v1.MutatingWebhook admissionReviewVersions list=atomic
io.k8s.api.admissionregistration.v1.MutatingWebhook matchConditions merge-key=name strategy=merge list=map keys=name
io.k8s.api.admissionregistration.v1.MutatingWebhookConfiguration webhooks merge-key=name strategy=merge list=map keys=name
io.k8s.api.admissionregistration.v1.NamedRuleWithOperations . map=atomic
io.k8s.api.admissionregistration.v1.NamedRuleWithOperations resourceNames list=atomic
io.k8s.api.admissionregistration.v1.NamedRuleWithOperations operations list=atomic
io.k8s.api.admissionregistration.v1.NamedRuleWithOperations apiGroups list=atomic
io.k8s.api.admissionregistration.v1.NamedRuleWithOperations apiVersions list=atomic
io.k8s.api.admissionregistration.v1.NamedRuleWithOperations resources list=atomic
io.k8s.api.admissionregistration.v1.ParamKind . map=atomic
io.k8s.api.admissionregistration.v1.ParamRef . map=atomic
io.k8s.api.admissionregistration.v1.Rule apiGroups list=atomic
io.k8s.api.admissionregistration.v1.Rule apiVersions list=atomic
io.k8s.api.admissionregistration.v1.Rule resources list=atomic
io.k8s.api.admissionregistration.v1.RuleWithOperations operations list=atomic
io.k8s.api.admissionregistration.v1.RuleWithOperations apiGroups list=atomic
io.k8s.api.admissionregistration.v1.RuleWithOperations apiVersions list=atomic
io.k8s.api.admissionregistration.v1.RuleWithOperations resources list=atomic
io.k8s.api.admissionregistration.v1.TypeChecking expressionWarnings list=atomic
io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec validationActions list=set
io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec validations list=atomic
io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec auditAnnotations list=atomic
io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec matchConditions merge-key=name strategy=merge list=map keys=name
io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicySpec variables merge-key=name strategy=merge list=map keys=name
io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyStatus conditions list=map keys=type
io.k8s.api.admissionregistration.v1.ValidatingWebhook rules list=atomic
io.k8s.api.admissionregistration.v1.ValidatingWebhook admissionReviewVersions list=atomic
io.k8s.api.admissionregistration.v1.ValidatingWebhook matchConditions merge-key=name strategy=merge list=map keys=name
io.k8s.api.admissionregistration.v1.ValidatingWebhookConfiguration webhooks merge-key=name strategy=merge list=map keys=name
io.k8s.api.admissionregistration.v1.Variable . map=atomic
io.k8s.api.apps.v1.DaemonSetStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.apps.v1.DeploymentSpec strategy strategy=retainKeys
io.k8s.api.apps.v1.DeploymentStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.apps.v1.ReplicaSetStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.apps.v1.StatefulSetSpec volumeClaimTemplates list=atomic
io.k8s.api.apps.v1.StatefulSetStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.authentication.v1.TokenRequestSpec audiences list=atomic
io.k8s.api.authentication.v1.TokenReviewSpec audiences list=atomic
io.k8s.api.authentication.v1.TokenReviewStatus audiences list=atomic
io.k8s.api.authentication.v1.UserInfo groups list=atomic
io.k8s.api.authorization.v1.FieldSelectorAttributes requirements list=atomic
io.k8s.api.authorization.v1.LabelSelectorAttributes requirements list=atomic
io.k8s.api.authorization.v1.NonResourceRule verbs list=atomic
io.k8s.api.authorization.v1.NonResourceRule nonResourceURLs list=atomic
io.k8s.api.authorization.v1.ResourceRule verbs list=atomic
io.k8s.api.authorization.v1.ResourceRule apiGroups list=atomic
io.k8s.api.authorization.v1.ResourceRule resources list=atomic
io.k8s.api.authorization.v1.ResourceRule resourceNames list=atomic
io.k8s.api.authorization.v1.SubjectAccessReviewSpec groups list=atomic
io.k8s.api.authorization.v1.SubjectRulesReviewStatus resourceRules list=atomic
io.k8s.api.authorization.v1.SubjectRulesReviewStatus nonResourceRules list=atomic
io.k8s.api.autoscaling.v1.CrossVersionObjectReference . map=atomic
io.k8s.api.autoscaling.v2.HPAScalingRules policies list=atomic
io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec metrics list=atomic
io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus currentMetrics list=atomic
io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.batch.v1.CronJobStatus active list=atomic
io.k8s.api.batch.v1.JobStatus conditions merge-key=type strategy=merge list=atomic
io.k8s.api.batch.v1.PodFailurePolicy rules list=atomic
io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement values list=set
io.k8s.api.batch.v1.PodFailurePolicyRule onPodConditions list=atomic
io.k8s.api.batch.v1.SuccessPolicy rules list=atomic
io.k8s.api.batch.v1.UncountedTerminatedPods succeeded list=set
io.k8s.api.batch.v1.UncountedTerminatedPods failed list=set
io.k8s.api.certificates.v1.CertificateSigningRequestSpec request list=atomic
io.k8s.api.certificates.v1.CertificateSigningRequestSpec usages list=atomic
io.k8s.api.certificates.v1.CertificateSigningRequestSpec groups list=atomic
io.k8s.api.certificates.v1.CertificateSigningRequestStatus conditions list=map keys=type
io.k8s.api.certificates.v1.CertificateSigningRequestStatus certificate list=atomic
io.k8s.api.core.v1.AvoidPods preferAvoidPods list=atomic
io.k8s.api.core.v1.Capabilities add list=atomic
io.k8s.api.core.v1.Capabilities drop list=atomic
io.k8s.api.core.v1.CephFSPersistentVolumeSource monitors list=atomic
io.k8s.api.core.v1.CephFSVolumeSource monitors list=atomic
io.k8s.api.core.v1.ComponentStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.core.v1.ConfigMapKeySelector . map=atomic
io.k8s.api.core.v1.ConfigMapProjection items list=atomic
io.k8s.api.core.v1.ConfigMapVolumeSource items list=atomic
io.k8s.api.core.v1.Container command list=atomic
io.k8s.api.core.v1.Container args list=atomic
io.k8s.api.core.v1.Container ports merge-key=containerPort strategy=merge list=map keys=containerPort,protocol
io.k8s.api.core.v1.Container envFrom list=atomic
io.k8s.api.core.v1.Container env merge-key=name strategy=merge list=map keys=name
io.k8s.api.core.v1.Container resizePolicy list=atomic
io.k8s.api.core.v1.Container volumeMounts merge-key=mountPath strategy=merge list=map keys=mountPath
io.k8s.api.core.v1.Container volumeDevices merge-key=devicePath strategy=merge list=map keys=devicePath
io.k8s.api.core.v1.ContainerImage names list=atomic
io.k8s.api.core.v1.ContainerStatus volumeMounts merge-key=mountPath strategy=merge list=map keys=mountPath
io.k8s.api.core.v1.ContainerStatus allocatedResourcesStatus merge-key=name strategy=merge list=map keys=name
io.k8s.api.core.v1.DownwardAPIProjection items list=atomic
io.k8s.api.core.v1.DownwardAPIVolumeSource items list=atomic
io.k8s.api.core.v1.EndpointAddress . map=atomic
io.k8s.api.core.v1.EndpointPort . map=atomic
io.k8s.api.core.v1.EndpointSubset addresses list=atomic
io.k8s.api.core.v1.EndpointSubset notReadyAddresses list=atomic
io.k8s.api.core.v1.EndpointSubset ports list=atomic
io.k8s.api.core.v1.Endpoints subsets list=atomic
io.k8s.api.core.v1.EphemeralContainer command list=atomic
io.k8s.api.core.v1.EphemeralContainer args list=atomic
io.k8s.api.core.v1.EphemeralContainer ports merge-key=containerPort strategy=merge list=map keys=containerPort,protocol
io.k8s.api.core.v1.EphemeralContainer envFrom list=atomic
io.k8s.api.core.v1.EphemeralContainer env merge-key=name strategy=merge list=map keys=name
io.k8s.api.core.v1.EphemeralContainer resizePolicy list=atomic
io.k8s.api.core.v1.EphemeralContainer volumeMounts merge-key=mountPath strategy=merge list=map keys=mountPath
io.k8s.api.core.v1.EphemeralContainer volumeDevices merge-key=devicePath strategy=merge list=map keys=devicePath
io.k8s.api.core.v1.EphemeralContainerCommon command list=atomic
io.k8s.api.core.v1.EphemeralContainerCommon args list=atomic
io.k8s.api.core.v1.EphemeralContainerCommon ports merge-key=containerPort strategy=merge list=map keys=containerPort,protocol
io.k8s.api.core.v1.EphemeralContainerCommon envFrom list=atomic
io.k8s.api.core.v1.EphemeralContainerCommon env merge-key=name strategy=merge list=map keys=name
io.k8s.api.core.v1.EphemeralContainerCommon resizePolicy list=atomic
io.k8s.api.core.v1.EphemeralContainerCommon volumeMounts merge-key=mountPath strategy=merge list=map keys=mountPath
io.k8s.api.core.v1.EphemeralContainerCommon volumeDevices merge-key=devicePath strategy=merge list=map keys=devicePath
io.k8s.api.core.v1.ExecAction command list=atomic
io.k8s.api.core.v1.FCVolumeSource targetWWNs list=atomic
io.k8s.api.core.v1.FCVolumeSource wwids list=atomic
io.k8s.api.core.v1.HTTPGetAction httpHeaders list=atomic
io.k8s.api.core.v1.HostAlias hostnames list=atomic
io.k8s.api.core.v1.ISCSIPersistentVolumeSource portals list=atomic
io.k8s.api.core.v1.ISCSIVolumeSource portals list=atomic
io.k8s.api.core.v1.LimitRangeSpec limits list=atomic
io.k8s.api.core.v1.LinuxContainerUser supplementalGroups list=atomic
io.k8s.api.core.v1.LoadBalancerIngress ports list=atomic
io.k8s.api.core.v1.LoadBalancerStatus ingress list=atomic
io.k8s.api.core.v1.LocalObjectReference . map=atomic
io.k8s.api.core.v1.NamespaceSpec finalizers list=atomic
io.k8s.api.core.v1.NamespaceStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.core.v1.NodeAffinity preferredDuringSchedulingIgnoredDuringExecution list=atomic
io.k8s.api.core.v1.NodeSelector . map=atomic
io.k8s.api.core.v1.NodeSelector nodeSelectorTerms list=atomic
io.k8s.api.core.v1.NodeSelectorRequirement values list=atomic
io.k8s.api.core.v1.NodeSelectorTerm . map=atomic
io.k8s.api.core.v1.NodeSelectorTerm matchExpressions list=atomic
io.k8s.api.core.v1.NodeSelectorTerm matchFields list=atomic
io.k8s.api.core.v1.NodeSpec podCIDRs strategy=merge list=set
io.k8s.api.core.v1.NodeSpec taints list=atomic
io.k8s.api.core.v1.NodeStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.core.v1.NodeStatus addresses merge-key=type strategy=merge list=map keys=type
io.k8s.api.core.v1.NodeStatus images list=atomic
io.k8s.api.core.v1.NodeStatus volumesInUse list=atomic
io.k8s.api.core.v1.NodeStatus volumesAttached list=atomic
io.k8s.api.core.v1.NodeStatus runtimeHandlers list=atomic
io.k8s.api.core.v1.ObjectFieldSelector . map=atomic
io.k8s.api.core.v1.ObjectReference . map=atomic
io.k8s.api.core.v1.PersistentVolumeClaimSpec accessModes list=atomic
io.k8s.api.core.v1.PersistentVolumeClaimStatus accessModes list=atomic
io.k8s.api.core.v1.PersistentVolumeClaimStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.core.v1.PersistentVolumeClaimStatus allocatedResourceStatuses map=granular
io.k8s.api.core.v1.PersistentVolumeSpec accessModes list=atomic
io.k8s.api.core.v1.PersistentVolumeSpec mountOptions list=atomic
io.k8s.api.core.v1.PodAffinity requiredDuringSchedulingIgnoredDuringExecution list=atomic
io.k8s.api.core.v1.PodAffinity preferredDuringSchedulingIgnoredDuringExecution list=atomic
io.k8s.api.core.v1.PodAffinityTerm namespaces list=atomic
io.k8s.api.core.v1.PodAffinityTerm matchLabelKeys list=atomic
io.k8s.api.core.v1.PodAffinityTerm mismatchLabelKeys list=atomic
io.k8s.api.core.v1.PodAntiAffinity requiredDuringSchedulingIgnoredDuringExecution list=atomic
io.k8s.api.core.v1.PodAntiAffinity preferredDuringSchedulingIgnoredDuringExecution list=atomic
io.k8s.api.core.v1.PodDNSConfig nameservers list=atomic
io.k8s.api.core.v1.PodDNSConfig searches list=atomic
io.k8s.api.core.v1.PodDNSConfig options list=atomic
io.k8s.api.core.v1.PodExecOptions command list=atomic
io.k8s.api.core.v1.PodPortForwardOptions ports list=atomic
io.k8s.api.core.v1.PodSecurityContext supplementalGroups list=atomic
io.k8s.api.core.v1.PodSecurityContext sysctls list=atomic
io.k8s.api.core.v1.PodSpec volumes merge-key=name strategy=merge,retainKeys list=map keys=name
io.k8s.api.core.v1.PodSpec initContainers merge-key=name strategy=merge list=map keys=name
io.k8s.api.core.v1.PodSpec containers merge-key=name strategy=merge list=map keys=name
io.k8s.api.core.v1.PodSpec ephemeralContainers merge-key=name strategy=merge list=map keys=name
io.k8s.api.core.v1.PodSpec nodeSelector map=atomic
io.k8s.api.core.v1.PodSpec imagePullSecrets merge-key=name strategy=merge list=map keys=name
io.k8s.api.core.v1.PodSpec tolerations list=atomic
io.k8s.api.core.v1.PodSpec hostAliases merge-key=ip strategy=merge list=map keys=ip
io.k8s.api.core.v1.PodSpec readinessGates list=atomic
io.k8s.api.core.v1.PodSpec topologySpreadConstraints merge-key=topologyKey strategy=merge list=map keys=topologyKey,whenUnsatisfiable
io.k8s.api.core.v1.PodSpec schedulingGates merge-key=name strategy=merge list=map keys=name
io.k8s.api.core.v1.PodSpec resourceClaims merge-key=name strategy=merge,retainKeys list=map keys=name
io.k8s.api.core.v1.PodStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.core.v1.PodStatus hostIPs merge-key=ip strategy=merge list=atomic
io.k8s.api.core.v1.PodStatus podIPs merge-key=ip strategy=merge list=map keys=ip
io.k8s.api.core.v1.PodStatus initContainerStatuses list=atomic
io.k8s.api.core.v1.PodStatus containerStatuses list=atomic
io.k8s.api.core.v1.PodStatus ephemeralContainerStatuses list=atomic
io.k8s.api.core.v1.PodStatus resourceClaimStatuses merge-key=name strategy=merge,retainKeys list=map keys=name
io.k8s.api.core.v1.ProjectedVolumeSource sources list=atomic
io.k8s.api.core.v1.RBDPersistentVolumeSource monitors list=atomic
io.k8s.api.core.v1.RBDVolumeSource monitors list=atomic
io.k8s.api.core.v1.ReplicationControllerSpec selector map=atomic
io.k8s.api.core.v1.ReplicationControllerStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.core.v1.ResourceFieldSelector . map=atomic
io.k8s.api.core.v1.ResourceQuotaSpec scopes list=atomic
io.k8s.api.core.v1.ResourceRequirements claims list=map keys=name
io.k8s.api.core.v1.ResourceStatus resources list=map keys=resourceID
io.k8s.api.core.v1.ScopeSelector . map=atomic
io.k8s.api.core.v1.ScopeSelector matchExpressions list=atomic
io.k8s.api.core.v1.ScopedResourceSelectorRequirement values list=atomic
io.k8s.api.core.v1.SecretKeySelector . map=atomic
io.k8s.api.core.v1.SecretProjection items list=atomic
io.k8s.api.core.v1.SecretReference . map=atomic
io.k8s.api.core.v1.SecretVolumeSource items list=atomic
io.k8s.api.core.v1.ServiceAccount secrets merge-key=name strategy=merge list=map keys=name
io.k8s.api.core.v1.ServiceAccount imagePullSecrets list=atomic
io.k8s.api.core.v1.ServiceSpec ports merge-key=port strategy=merge list=map keys=port,protocol
io.k8s.api.core.v1.ServiceSpec selector map=atomic
io.k8s.api.core.v1.ServiceSpec clusterIPs list=atomic
io.k8s.api.core.v1.ServiceSpec externalIPs list=atomic
io.k8s.api.core.v1.ServiceSpec loadBalancerSourceRanges list=atomic
io.k8s.api.core.v1.ServiceSpec ipFamilies list=atomic
io.k8s.api.core.v1.ServiceStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.core.v1.TopologySelectorLabelRequirement values list=atomic
io.k8s.api.core.v1.TopologySelectorTerm . map=atomic
io.k8s.api.core.v1.TopologySelectorTerm matchLabelExpressions list=atomic
io.k8s.api.core.v1.TopologySpreadConstraint matchLabelKeys list=atomic
io.k8s.api.core.v1.TypedLocalObjectReference . map=atomic
io.k8s.api.discovery.v1.Endpoint addresses list=set
io.k8s.api.discovery.v1.EndpointHints forZones list=atomic
io.k8s.api.discovery.v1.EndpointPort . map=atomic
io.k8s.api.discovery.v1.EndpointSlice endpoints list=atomic
io.k8s.api.discovery.v1.EndpointSlice ports list=atomic
io.k8s.api.flowcontrol.v1.FlowSchemaSpec rules list=atomic
io.k8s.api.flowcontrol.v1.FlowSchemaStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.flowcontrol.v1.NonResourcePolicyRule verbs list=set
io.k8s.api.flowcontrol.v1.NonResourcePolicyRule nonResourceURLs list=set
io.k8s.api.flowcontrol.v1.PolicyRulesWithSubjects subjects list=atomic
io.k8s.api.flowcontrol.v1.PolicyRulesWithSubjects resourceRules list=atomic
io.k8s.api.flowcontrol.v1.PolicyRulesWithSubjects nonResourceRules list=atomic
io.k8s.api.flowcontrol.v1.PriorityLevelConfigurationStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.flowcontrol.v1.ResourcePolicyRule verbs list=set
io.k8s.api.flowcontrol.v1.ResourcePolicyRule apiGroups list=set
io.k8s.api.flowcontrol.v1.ResourcePolicyRule resources list=set
io.k8s.api.flowcontrol.v1.ResourcePolicyRule namespaces list=set
io.k8s.api.networking.v1.HTTPIngressRuleValue paths list=atomic
io.k8s.api.networking.v1.IPBlock except list=atomic
io.k8s.api.networking.v1.IngressLoadBalancerIngress ports list=atomic
io.k8s.api.networking.v1.IngressLoadBalancerStatus ingress list=atomic
io.k8s.api.networking.v1.IngressSpec tls list=atomic
io.k8s.api.networking.v1.IngressSpec rules list=atomic
io.k8s.api.networking.v1.IngressTLS hosts list=atomic
io.k8s.api.networking.v1.NetworkPolicyEgressRule ports list=atomic
io.k8s.api.networking.v1.NetworkPolicyEgressRule to list=atomic
io.k8s.api.networking.v1.NetworkPolicyIngressRule ports list=atomic
io.k8s.api.networking.v1.NetworkPolicyIngressRule from list=atomic
io.k8s.api.networking.v1.NetworkPolicySpec ingress list=atomic
io.k8s.api.networking.v1.NetworkPolicySpec egress list=atomic
io.k8s.api.networking.v1.NetworkPolicySpec policyTypes list=atomic
io.k8s.api.networking.v1.ServiceBackendPort . map=atomic
io.k8s.api.node.v1.Scheduling nodeSelector map=atomic
io.k8s.api.node.v1.Scheduling tolerations list=atomic
io.k8s.api.policy.v1.PodDisruptionBudgetSpec selector strategy=replace
io.k8s.api.policy.v1.PodDisruptionBudgetStatus conditions merge-key=type strategy=merge list=map keys=type
io.k8s.api.rbac.v1.AggregationRule clusterRoleSelectors list=atomic
io.k8s.api.rbac.v1.ClusterRole rules list=atomic
io.k8s.api.rbac.v1.ClusterRoleBinding subjects list=atomic
io.k8s.api.rbac.v1.PolicyRule verbs list=atomic
io.k8s.api.rbac.v1.PolicyRule apiGroups list=atomic
io.k8s.api.rbac.v1.PolicyRule resources list=atomic
io.k8s.api.rbac.v1.PolicyRule resourceNames list=atomic
io.k8s.api.rbac.v1.PolicyRule nonResourceURLs list=atomic
io.k8s.api.rbac.v1.Role rules list=atomic
io.k8s.api.rbac.v1.RoleBinding subjects list=atomic
io.k8s.api.rbac.v1.RoleRef . map=atomic
io.k8s.api.rbac.v1.Subject . map=atomic
io.k8s.api.storage.v1.CSIDriverSpec volumeLifecycleModes list=set
io.k8s.api.storage.v1.CSIDriverSpec tokenRequests list=atomic
io.k8s.api.storage.v1.CSINodeDriver topologyKeys list=atomic
io.k8s.api.storage.v1.CSINodeSpec drivers merge-key=name strategy=merge list=map keys=name
io.k8s.api.storage.v1.StorageClass mountOptions list=atomic
io.k8s.api.storage.v1.StorageClass allowedTopologies list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ConversionRequest objects list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ConversionResponse convertedObjects list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionNames shortNames list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionNames categories list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec versions list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus conditions list=map keys=type
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus storedVersions list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion additionalPrinterColumns list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion selectableFields list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps enum list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps required list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps allOf list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps oneOf list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps anyOf list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps x-kubernetes-list-map-keys list=atomic
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps x-kubernetes-validations merge-key=rule strategy=merge list=map keys=rule
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.WebhookConversion conversionReviewVersions list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup versions list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup serverAddressByClientCIDRs list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList groups list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.APIResource shortNames list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.APIResource categories list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList resources list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions versions list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions serverAddressByClientCIDRs list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.ApplyOptions dryRun list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.CreateOptions dryRun list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions dryRun list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement values list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector . map=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector matchExpressions list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement values list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta ownerReferences merge-key=uid strategy=merge list=map keys=uid
io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta finalizers strategy=merge list=set
io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta managedFields list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference . map=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.PatchOptions dryRun list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.RootPaths paths list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.Status details list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.StatusDetails causes list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.Table columnDefinitions list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.Table rows list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.TableRow cells list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.TableRow conditions list=atomic
io.k8s.apimachinery.pkg.apis.meta.v1.UpdateOptions dryRun list=atomic
""";
}
