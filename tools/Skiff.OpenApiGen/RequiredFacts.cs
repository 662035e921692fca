namespace Skiff.OpenApiGen;

/// <summary>
/// Required fields of the served built-in types, which the KubernetesClient models do not mark (their properties
/// are all nullable reference types without annotations): upstream's OpenAPI lists a field as required when its Go
/// field has neither <c>omitempty</c> nor <c>+optional</c> (kube-openapi's rule), at Kubernetes 1.32
/// (v0.32.9 of kubernetes/api, kubernetes/apimachinery, kubernetes/apiextensions-apiserver). One line per schema:
/// <c>schema field field…</c>, fields in Go declaration order (upstream's order).
/// </summary>
internal static class RequiredFacts
{
    /// <summary>Required JSON field names by schema name.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> All { get; } = Parse(Table);

    private static Dictionary<string, IReadOnlyList<string>> Parse(string text)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            result.Add(parts[0], parts[1..]);
        }

        return result;
    }

    private const string Table = """
io.k8s.api.admissionregistration.v1.AuditAnnotation key valueExpression
io.k8s.api.admissionregistration.v1.ExpressionWarning fieldRef warning
io.k8s.api.admissionregistration.v1.MatchCondition name expression
io.k8s.api.admissionregistration.v1.MutatingWebhook name clientConfig sideEffects admissionReviewVersions
io.k8s.api.admissionregistration.v1.MutatingWebhookConfigurationList items
io.k8s.api.admissionregistration.v1.ServiceReference namespace name
io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyBindingList items
io.k8s.api.admissionregistration.v1.ValidatingAdmissionPolicyList items
io.k8s.api.admissionregistration.v1.ValidatingWebhook name clientConfig sideEffects admissionReviewVersions
io.k8s.api.admissionregistration.v1.ValidatingWebhookConfigurationList items
io.k8s.api.admissionregistration.v1.Validation expression
io.k8s.api.admissionregistration.v1.Variable name expression
io.k8s.api.apps.v1.ControllerRevision revision
io.k8s.api.apps.v1.ControllerRevisionList items
io.k8s.api.apps.v1.DaemonSetCondition type status
io.k8s.api.apps.v1.DaemonSetList items
io.k8s.api.apps.v1.DaemonSetSpec selector template
io.k8s.api.apps.v1.DaemonSetStatus currentNumberScheduled numberMisscheduled desiredNumberScheduled numberReady
io.k8s.api.apps.v1.DeploymentCondition type status
io.k8s.api.apps.v1.DeploymentList items
io.k8s.api.apps.v1.DeploymentSpec selector template
io.k8s.api.apps.v1.ReplicaSetCondition type status
io.k8s.api.apps.v1.ReplicaSetList items
io.k8s.api.apps.v1.ReplicaSetSpec selector
io.k8s.api.apps.v1.ReplicaSetStatus replicas
io.k8s.api.apps.v1.StatefulSetCondition type status
io.k8s.api.apps.v1.StatefulSetList items
io.k8s.api.apps.v1.StatefulSetSpec selector template serviceName
io.k8s.api.apps.v1.StatefulSetStatus replicas
io.k8s.api.authentication.v1.TokenRequest spec
io.k8s.api.authentication.v1.TokenRequestSpec audiences
io.k8s.api.authentication.v1.TokenRequestStatus token expirationTimestamp
io.k8s.api.authentication.v1.TokenReview spec
io.k8s.api.authorization.v1.LocalSubjectAccessReview spec
io.k8s.api.authorization.v1.NonResourceRule verbs
io.k8s.api.authorization.v1.ResourceRule verbs
io.k8s.api.authorization.v1.SelfSubjectAccessReview spec
io.k8s.api.authorization.v1.SelfSubjectRulesReview spec
io.k8s.api.authorization.v1.SubjectAccessReview spec
io.k8s.api.authorization.v1.SubjectAccessReviewStatus allowed
io.k8s.api.authorization.v1.SubjectRulesReviewStatus resourceRules nonResourceRules incomplete
io.k8s.api.autoscaling.v1.ContainerResourceMetricSource name container
io.k8s.api.autoscaling.v1.ContainerResourceMetricStatus name currentAverageValue container
io.k8s.api.autoscaling.v1.CrossVersionObjectReference kind name
io.k8s.api.autoscaling.v1.ExternalMetricSource metricName
io.k8s.api.autoscaling.v1.ExternalMetricStatus metricName currentValue
io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerCondition type status
io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerList items
io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec scaleTargetRef maxReplicas
io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerStatus currentReplicas desiredReplicas
io.k8s.api.autoscaling.v1.MetricSpec type
io.k8s.api.autoscaling.v1.MetricStatus type
io.k8s.api.autoscaling.v1.ObjectMetricSource target metricName targetValue
io.k8s.api.autoscaling.v1.ObjectMetricStatus target metricName currentValue
io.k8s.api.autoscaling.v1.PodsMetricSource metricName targetAverageValue
io.k8s.api.autoscaling.v1.PodsMetricStatus metricName currentAverageValue
io.k8s.api.autoscaling.v1.ResourceMetricSource name
io.k8s.api.autoscaling.v1.ResourceMetricStatus name currentAverageValue
io.k8s.api.autoscaling.v1.ScaleStatus replicas
io.k8s.api.autoscaling.v2.ContainerResourceMetricSource name target container
io.k8s.api.autoscaling.v2.ContainerResourceMetricStatus name current container
io.k8s.api.autoscaling.v2.CrossVersionObjectReference kind name
io.k8s.api.autoscaling.v2.ExternalMetricSource metric target
io.k8s.api.autoscaling.v2.ExternalMetricStatus metric current
io.k8s.api.autoscaling.v2.HPAScalingPolicy type value periodSeconds
io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerCondition type status
io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerList items
io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec scaleTargetRef maxReplicas
io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus desiredReplicas
io.k8s.api.autoscaling.v2.MetricIdentifier name
io.k8s.api.autoscaling.v2.MetricSpec type
io.k8s.api.autoscaling.v2.MetricStatus type
io.k8s.api.autoscaling.v2.MetricTarget type
io.k8s.api.autoscaling.v2.ObjectMetricSource describedObject target metric
io.k8s.api.autoscaling.v2.ObjectMetricStatus metric current describedObject
io.k8s.api.autoscaling.v2.PodsMetricSource metric target
io.k8s.api.autoscaling.v2.PodsMetricStatus metric current
io.k8s.api.autoscaling.v2.ResourceMetricSource name target
io.k8s.api.autoscaling.v2.ResourceMetricStatus name current
io.k8s.api.batch.v1.CronJobList items
io.k8s.api.batch.v1.CronJobSpec schedule jobTemplate
io.k8s.api.batch.v1.JobCondition type status
io.k8s.api.batch.v1.JobList items
io.k8s.api.batch.v1.JobSpec template
io.k8s.api.batch.v1.PodFailurePolicy rules
io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement operator values
io.k8s.api.batch.v1.PodFailurePolicyOnPodConditionsPattern type status
io.k8s.api.batch.v1.PodFailurePolicyRule action
io.k8s.api.batch.v1.SuccessPolicy rules
io.k8s.api.certificates.v1.CertificateSigningRequest spec
io.k8s.api.certificates.v1.CertificateSigningRequestCondition type status
io.k8s.api.certificates.v1.CertificateSigningRequestList items
io.k8s.api.certificates.v1.CertificateSigningRequestSpec request signerName
io.k8s.api.coordination.v1.LeaseList items
io.k8s.api.core.v1.AWSElasticBlockStoreVolumeSource volumeID
io.k8s.api.core.v1.AppArmorProfile type
io.k8s.api.core.v1.AttachedVolume name devicePath
io.k8s.api.core.v1.AzureDiskVolumeSource diskName diskURI
io.k8s.api.core.v1.AzureFilePersistentVolumeSource secretName shareName
io.k8s.api.core.v1.AzureFileVolumeSource secretName shareName
io.k8s.api.core.v1.Binding target
io.k8s.api.core.v1.CSIPersistentVolumeSource driver volumeHandle
io.k8s.api.core.v1.CSIVolumeSource driver
io.k8s.api.core.v1.CephFSPersistentVolumeSource monitors
io.k8s.api.core.v1.CephFSVolumeSource monitors
io.k8s.api.core.v1.CinderPersistentVolumeSource volumeID
io.k8s.api.core.v1.CinderVolumeSource volumeID
io.k8s.api.core.v1.ClusterTrustBundleProjection path
io.k8s.api.core.v1.ComponentCondition type status
io.k8s.api.core.v1.ComponentStatusList items
io.k8s.api.core.v1.ConfigMapKeySelector key
io.k8s.api.core.v1.ConfigMapList items
io.k8s.api.core.v1.ConfigMapNodeConfigSource namespace name kubeletConfigKey
io.k8s.api.core.v1.Container name
io.k8s.api.core.v1.ContainerPort containerPort
io.k8s.api.core.v1.ContainerResizePolicy resourceName restartPolicy
io.k8s.api.core.v1.ContainerStateTerminated exitCode
io.k8s.api.core.v1.ContainerStatus name ready restartCount image imageID
io.k8s.api.core.v1.DaemonEndpoint Port
io.k8s.api.core.v1.DownwardAPIVolumeFile path
io.k8s.api.core.v1.EndpointAddress ip
io.k8s.api.core.v1.EndpointPort port
io.k8s.api.core.v1.EndpointsList items
io.k8s.api.core.v1.EnvVar name
io.k8s.api.core.v1.EphemeralContainer name
io.k8s.api.core.v1.EphemeralContainerCommon name
io.k8s.api.core.v1.Event metadata involvedObject
io.k8s.api.core.v1.EventList items
io.k8s.api.core.v1.FlexPersistentVolumeSource driver
io.k8s.api.core.v1.FlexVolumeSource driver
io.k8s.api.core.v1.GCEPersistentDiskVolumeSource pdName
io.k8s.api.core.v1.GRPCAction port
io.k8s.api.core.v1.GitRepoVolumeSource repository
io.k8s.api.core.v1.GlusterfsPersistentVolumeSource endpoints path
io.k8s.api.core.v1.GlusterfsVolumeSource endpoints path
io.k8s.api.core.v1.HTTPGetAction port
io.k8s.api.core.v1.HTTPHeader name value
io.k8s.api.core.v1.HostAlias ip
io.k8s.api.core.v1.HostIP ip
io.k8s.api.core.v1.HostPathVolumeSource path
io.k8s.api.core.v1.ISCSIPersistentVolumeSource targetPortal iqn lun
io.k8s.api.core.v1.ISCSIVolumeSource targetPortal iqn lun
io.k8s.api.core.v1.KeyToPath key path
io.k8s.api.core.v1.LimitRangeItem type
io.k8s.api.core.v1.LimitRangeList items
io.k8s.api.core.v1.LimitRangeSpec limits
io.k8s.api.core.v1.LinuxContainerUser uid gid
io.k8s.api.core.v1.LocalVolumeSource path
io.k8s.api.core.v1.ModifyVolumeStatus status
io.k8s.api.core.v1.NFSVolumeSource server path
io.k8s.api.core.v1.NamespaceCondition type status
io.k8s.api.core.v1.NamespaceList items
io.k8s.api.core.v1.NodeAddress type address
io.k8s.api.core.v1.NodeCondition type status
io.k8s.api.core.v1.NodeList items
io.k8s.api.core.v1.NodeSelector nodeSelectorTerms
io.k8s.api.core.v1.NodeSelectorRequirement key operator
io.k8s.api.core.v1.NodeSystemInfo machineID systemUUID bootID kernelVersion osImage containerRuntimeVersion kubeletVersion kubeProxyVersion operatingSystem architecture
io.k8s.api.core.v1.ObjectFieldSelector fieldPath
io.k8s.api.core.v1.PersistentVolumeClaimCondition type status
io.k8s.api.core.v1.PersistentVolumeClaimList items
io.k8s.api.core.v1.PersistentVolumeClaimTemplate spec
io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource claimName
io.k8s.api.core.v1.PersistentVolumeList items
io.k8s.api.core.v1.PhotonPersistentDiskVolumeSource pdID
io.k8s.api.core.v1.PodAffinityTerm topologyKey
io.k8s.api.core.v1.PodCondition type status
io.k8s.api.core.v1.PodExecOptions command
io.k8s.api.core.v1.PodIP ip
io.k8s.api.core.v1.PodList items
io.k8s.api.core.v1.PodOS name
io.k8s.api.core.v1.PodReadinessGate conditionType
io.k8s.api.core.v1.PodResourceClaim name
io.k8s.api.core.v1.PodResourceClaimStatus name
io.k8s.api.core.v1.PodSchedulingGate name
io.k8s.api.core.v1.PodSpec containers
io.k8s.api.core.v1.PodTemplateList items
io.k8s.api.core.v1.PortStatus port protocol
io.k8s.api.core.v1.PortworxVolumeSource volumeID
io.k8s.api.core.v1.PreferAvoidPodsEntry podSignature
io.k8s.api.core.v1.PreferredSchedulingTerm weight preference
io.k8s.api.core.v1.QuobyteVolumeSource registry volume
io.k8s.api.core.v1.RBDPersistentVolumeSource monitors image
io.k8s.api.core.v1.RBDVolumeSource monitors image
io.k8s.api.core.v1.RangeAllocation range data
io.k8s.api.core.v1.ReplicationControllerCondition type status
io.k8s.api.core.v1.ReplicationControllerList items
io.k8s.api.core.v1.ReplicationControllerStatus replicas
io.k8s.api.core.v1.ResourceClaim name
io.k8s.api.core.v1.ResourceFieldSelector resource
io.k8s.api.core.v1.ResourceHealth resourceID
io.k8s.api.core.v1.ResourceQuotaList items
io.k8s.api.core.v1.ResourceStatus name
io.k8s.api.core.v1.ScaleIOPersistentVolumeSource gateway system secretRef
io.k8s.api.core.v1.ScaleIOVolumeSource gateway system secretRef
io.k8s.api.core.v1.ScopedResourceSelectorRequirement scopeName operator
io.k8s.api.core.v1.SeccompProfile type
io.k8s.api.core.v1.SecretKeySelector key
io.k8s.api.core.v1.SecretList items
io.k8s.api.core.v1.ServiceAccountList items
io.k8s.api.core.v1.ServiceAccountTokenProjection path
io.k8s.api.core.v1.ServiceList items
io.k8s.api.core.v1.ServicePort port
io.k8s.api.core.v1.SleepAction seconds
io.k8s.api.core.v1.Sysctl name value
io.k8s.api.core.v1.TCPSocketAction port
io.k8s.api.core.v1.Taint key effect
io.k8s.api.core.v1.TopologySelectorLabelRequirement key values
io.k8s.api.core.v1.TopologySpreadConstraint maxSkew topologyKey whenUnsatisfiable
io.k8s.api.core.v1.TypedLocalObjectReference kind name
io.k8s.api.core.v1.TypedObjectReference kind name
io.k8s.api.core.v1.Volume name
io.k8s.api.core.v1.VolumeDevice name devicePath
io.k8s.api.core.v1.VolumeMount name mountPath
io.k8s.api.core.v1.VolumeMountStatus name mountPath
io.k8s.api.core.v1.VsphereVirtualDiskVolumeSource volumePath
io.k8s.api.core.v1.WeightedPodAffinityTerm weight podAffinityTerm
io.k8s.api.discovery.v1.Endpoint addresses
io.k8s.api.discovery.v1.EndpointSlice addressType endpoints
io.k8s.api.discovery.v1.EndpointSliceList items
io.k8s.api.discovery.v1.ForZone name
io.k8s.api.events.v1.Event eventTime
io.k8s.api.events.v1.EventList items
io.k8s.api.events.v1.EventSeries count lastObservedTime
io.k8s.api.flowcontrol.v1.FlowDistinguisherMethod type
io.k8s.api.flowcontrol.v1.FlowSchemaList items
io.k8s.api.flowcontrol.v1.FlowSchemaSpec priorityLevelConfiguration
io.k8s.api.flowcontrol.v1.GroupSubject name
io.k8s.api.flowcontrol.v1.LimitResponse type
io.k8s.api.flowcontrol.v1.NonResourcePolicyRule verbs nonResourceURLs
io.k8s.api.flowcontrol.v1.PolicyRulesWithSubjects subjects
io.k8s.api.flowcontrol.v1.PriorityLevelConfigurationList items
io.k8s.api.flowcontrol.v1.PriorityLevelConfigurationReference name
io.k8s.api.flowcontrol.v1.PriorityLevelConfigurationSpec type
io.k8s.api.flowcontrol.v1.ResourcePolicyRule verbs apiGroups resources
io.k8s.api.flowcontrol.v1.ServiceAccountSubject namespace name
io.k8s.api.flowcontrol.v1.Subject kind
io.k8s.api.flowcontrol.v1.UserSubject name
io.k8s.api.networking.v1.HTTPIngressPath pathType backend
io.k8s.api.networking.v1.HTTPIngressRuleValue paths
io.k8s.api.networking.v1.IPBlock cidr
io.k8s.api.networking.v1.IngressClassList items
io.k8s.api.networking.v1.IngressClassParametersReference kind name
io.k8s.api.networking.v1.IngressList items
io.k8s.api.networking.v1.IngressPortStatus port protocol
io.k8s.api.networking.v1.IngressServiceBackend name
io.k8s.api.networking.v1.NetworkPolicyList items
io.k8s.api.networking.v1.NetworkPolicySpec podSelector
io.k8s.api.node.v1.RuntimeClass handler
io.k8s.api.node.v1.RuntimeClassList items
io.k8s.api.policy.v1.PodDisruptionBudgetList items
io.k8s.api.policy.v1.PodDisruptionBudgetStatus disruptionsAllowed currentHealthy desiredHealthy expectedPods
io.k8s.api.rbac.v1.ClusterRoleBinding roleRef
io.k8s.api.rbac.v1.ClusterRoleBindingList items
io.k8s.api.rbac.v1.ClusterRoleList items
io.k8s.api.rbac.v1.PolicyRule verbs
io.k8s.api.rbac.v1.RoleBinding roleRef
io.k8s.api.rbac.v1.RoleBindingList items
io.k8s.api.rbac.v1.RoleList items
io.k8s.api.rbac.v1.RoleRef apiGroup kind name
io.k8s.api.rbac.v1.Subject kind name
io.k8s.api.scheduling.v1.PriorityClass value
io.k8s.api.scheduling.v1.PriorityClassList items
io.k8s.api.storage.v1.CSIDriver spec
io.k8s.api.storage.v1.CSIDriverList items
io.k8s.api.storage.v1.CSINode spec
io.k8s.api.storage.v1.CSINodeDriver name nodeID
io.k8s.api.storage.v1.CSINodeList items
io.k8s.api.storage.v1.CSINodeSpec drivers
io.k8s.api.storage.v1.CSIStorageCapacity storageClassName
io.k8s.api.storage.v1.CSIStorageCapacityList items
io.k8s.api.storage.v1.StorageClass provisioner
io.k8s.api.storage.v1.StorageClassList items
io.k8s.api.storage.v1.TokenRequest audience
io.k8s.api.storage.v1.VolumeAttachment spec
io.k8s.api.storage.v1.VolumeAttachmentList items
io.k8s.api.storage.v1.VolumeAttachmentSpec attacher source nodeName
io.k8s.api.storage.v1.VolumeAttachmentStatus attached
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ConversionRequest uid desiredAPIVersion objects
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ConversionResponse uid convertedObjects result
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceColumnDefinition name type jsonPath
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceConversion strategy
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition spec
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionCondition type status
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionList items
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionNames plural kind
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec group names scope versions
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion name served storage
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceSubresourceScale specReplicasPath statusReplicasPath
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.SelectableField jsonPath
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ServiceReference namespace name
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule rule
io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.WebhookConversion conversionReviewVersions
io.k8s.apimachinery.pkg.apis.meta.v1.APIGroup name versions
io.k8s.apimachinery.pkg.apis.meta.v1.APIGroupList groups
io.k8s.apimachinery.pkg.apis.meta.v1.APIResource name singularName namespaced kind verbs
io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList groupVersion resources
io.k8s.apimachinery.pkg.apis.meta.v1.APIVersions versions serverAddressByClientCIDRs
io.k8s.apimachinery.pkg.apis.meta.v1.ApplyOptions force fieldManager
io.k8s.apimachinery.pkg.apis.meta.v1.Condition type status lastTransitionTime reason message
io.k8s.apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement key operator
io.k8s.apimachinery.pkg.apis.meta.v1.GroupKind group kind
io.k8s.apimachinery.pkg.apis.meta.v1.GroupResource group resource
io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersion group version
io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionForDiscovery groupVersion version
io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionKind group version kind
io.k8s.apimachinery.pkg.apis.meta.v1.GroupVersionResource group version resource
io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement key operator
io.k8s.apimachinery.pkg.apis.meta.v1.List items
io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference apiVersion kind name uid
io.k8s.apimachinery.pkg.apis.meta.v1.PartialObjectMetadataList items
io.k8s.apimachinery.pkg.apis.meta.v1.RootPaths paths
io.k8s.apimachinery.pkg.apis.meta.v1.ServerAddressByClientCIDR clientCIDR serverAddress
io.k8s.apimachinery.pkg.apis.meta.v1.Table columnDefinitions rows
io.k8s.apimachinery.pkg.apis.meta.v1.TableColumnDefinition name type format description priority
io.k8s.apimachinery.pkg.apis.meta.v1.TableRow cells
io.k8s.apimachinery.pkg.apis.meta.v1.TableRowCondition type status
io.k8s.apimachinery.pkg.apis.meta.v1.Timestamp seconds nanos
io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent type object
""";
}
