namespace Skiff.ApiServer.Authorization.Bootstrap;

/// <summary>
/// Upstream's bootstrap RBAC policy as data (<c>plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go</c>,
/// <c>controller_policy.go</c>, <c>namespace_policy.go</c>; compare the <c>testdata/*.yaml</c> there), for the
/// resources Skiff serves, plus Skiff's own bindings that give the single controller-manager identity
/// (<c>system:kube-controller-manager</c>) the union of the <c>system:controller:*</c> roles: Skiff runs every
/// controller under one client identity instead of upstream's per-controller service accounts.
/// Feature-gated roles that depend on APIs Skiff does not serve (DRA, storage version migration…) are left out.
/// </summary>
public static class BootstrapPolicy
{
    /// <summary>The label every bootstrap object carries.</summary>
    public static readonly IReadOnlyDictionary<string, string> BootstrapLabel = new Dictionary<string, string> { ["kubernetes.io/bootstrapping"] = "rbac-defaults" };

    /// <summary>The annotation that, set to "false", stops the reconcile from touching an object.</summary>
    public const string AutoUpdateAnnotation = "rbac.authorization.kubernetes.io/autoupdate";

    /// <summary>The prefix of the controller roles.</summary>
    public const string ControllerRolePrefix = "system:controller:";

    /// <summary>The prefix of Skiff's bindings of the controller roles to the controller manager's identity.</summary>
    public const string ControllerManagerBindingPrefix = "skiff:kube-controller-manager:";

    /// <summary>The ClusterRole (and binding) of Skiff's hollow nodes.</summary>
    public const string HollowNodeRole = "skiff:hollow-node";

    /// <summary>The ClusterRole of Skiff's local-path provisioner (bound to the controller manager).</summary>
    public const string LocalPathRole = "skiff:local-path-provisioner";

    /// <summary>The cluster DNS component's role (bound to the user <c>system:kube-dns</c>).</summary>
    public const string KubeDnsRole = "skiff:kube-dns";

    /// <summary>The ServiceLB controller's role (bound to the controller manager).</summary>
    public const string ServiceLbRole = "skiff:servicelb";

    /// <summary>The legacy service-account token controller's role (bound to the controller manager).</summary>
    public const string ServiceAccountTokenRole = "skiff:serviceaccount-token";

    /// <summary>The NetworkPolicy enforcer's role (bound to the user <c>system:skiff-network-policy</c>).</summary>
    public const string NetworkPolicyRole = "skiff:network-policy";

    /// <summary>The group of every bootstrap-token user (upstream's <c>system:bootstrappers</c>).</summary>
    public const string BootstrappersGroup = "system:bootstrappers";

    /// <summary>Binds <see cref="BootstrappersGroup"/> to <c>system:node-bootstrapper</c> (kubeadm's <c>kubeadm:kubelet-bootstrap</c>).</summary>
    public const string KubeletBootstrapBinding = "skiff:kubelet-bootstrap";

    /// <summary>Lets bootstrappers' kubelet client CSRs be auto-approved (kubeadm's <c>kubeadm:node-autoapprove-bootstrap</c>).</summary>
    public const string NodeAutoApproveBootstrapBinding = "skiff:node-autoapprove-bootstrap";

    /// <summary>Lets nodes' renewal CSRs be auto-approved (kubeadm's <c>kubeadm:node-autoapprove-certificate-rotation</c>).</summary>
    public const string NodeAutoApproveRotationBinding = "skiff:node-autoapprove-certificate-rotation";

    private const string ReadWrite = "get,list,watch,create,update,patch,delete,deletecollection";
    private const string Read = "get,list,watch";
    private const string Write = "create,delete,deletecollection,patch,update";
    private const string Rbac = "rbac.authorization.k8s.io";

    private static readonly PolicyRule EventsRule = R("create,update,patch", ",events.k8s.io", "events");

    /// <summary>The <c>system:node</c> rules, which the Node authorizer applies to nodes.</summary>
    public static IReadOnlyList<PolicyRule> NodeRules { get; } =
    [
        R("create", "authentication.k8s.io", "tokenreviews"),
        R("create", "authorization.k8s.io", "subjectaccessreviews,localsubjectaccessreviews"),
        R(Read, "", "services"),
        R("create,get,list,watch", "", "nodes"),
        R("update,patch", "", "nodes/status"),
        R("update,patch", "", "nodes"),
        R("create,update,patch", "", "events"),
        R(Read, "", "pods"),
        R("create,delete", "", "pods"),
        R("update,patch", "", "pods/status"),
        R("create", "", "pods/eviction"),
        R(Read, "", "secrets,configmaps"),
        R("get", "", "persistentvolumeclaims,persistentvolumes"),
        R("get", "", "endpoints"),
        R("create,get,list,watch", "certificates.k8s.io", "certificatesigningrequests"),
        R("get,create,update,patch,delete", "coordination.k8s.io", "leases"),
        R("get", "storage.k8s.io", "volumeattachments"),
        R("create", "", "serviceaccounts/token"),
        R("get,update,patch", "", "persistentvolumeclaims/status"),
        R(Read, "storage.k8s.io", "csidrivers"),
        R("get,create,update,patch,delete", "storage.k8s.io", "csinodes"),
        R(Read, "node.k8s.io", "runtimeclasses"),
    ];

    /// <summary>Every ClusterRole and Role of the policy.</summary>
    public static IReadOnlyList<BootstrapRole> Roles { get; } = BuildRoles();

    /// <summary>Every ClusterRoleBinding and RoleBinding of the policy.</summary>
    public static IReadOnlyList<BootstrapBinding> Bindings { get; } = BuildBindings();

    private static List<BootstrapRole> BuildRoles()
    {
        var roles = new List<BootstrapRole>
        {
            Cluster("cluster-admin", R("*", "*", "*"), U("*", "*")),
            Cluster("system:discovery", U("get", "/api,/api/*,/apis,/apis/*,/healthz,/livez,/openapi,/openapi/*,/readyz,/version,/version/")),
            Cluster("system:monitoring", U("get", "/healthz,/healthz/*,/livez,/livez/*,/metrics,/metrics/slis,/readyz,/readyz/*")),
            Cluster("system:basic-user",
                R("create", "authorization.k8s.io", "selfsubjectaccessreviews,selfsubjectrulesreviews"),
                R("create", "authentication.k8s.io", "selfsubjectreviews")),
            Cluster("system:public-info-viewer", U("get", "/healthz,/livez,/readyz,/version,/version/")),
            Aggregated("admin", "rbac.authorization.k8s.io/aggregate-to-admin", null),
            Aggregated("edit", "rbac.authorization.k8s.io/aggregate-to-edit", "rbac.authorization.k8s.io/aggregate-to-admin"),
            Aggregated("view", "rbac.authorization.k8s.io/aggregate-to-view", "rbac.authorization.k8s.io/aggregate-to-edit"),
            Labelled("system:aggregate-to-admin", "rbac.authorization.k8s.io/aggregate-to-admin",
                R("create", "authorization.k8s.io", "localsubjectaccessreviews"),
                R(ReadWrite, Rbac, "rolebindings,roles")),
            Labelled("system:aggregate-to-edit", "rbac.authorization.k8s.io/aggregate-to-edit",
                R(Read, "", "pods/attach,pods/exec,pods/portforward,pods/proxy,secrets,services/proxy"),
                R("impersonate", "", "serviceaccounts"),
                R(Write, "", "pods,pods/attach,pods/exec,pods/portforward,pods/proxy"),
                R("create", "", "pods/eviction"),
                R(Write, "", "configmaps,events,persistentvolumeclaims,replicationcontrollers,replicationcontrollers/scale,secrets,serviceaccounts,services,services/proxy"),
                R("create", "", "serviceaccounts/token"),
                R(Write, "apps", "daemonsets,deployments,deployments/rollback,deployments/scale,replicasets,replicasets/scale,statefulsets,statefulsets/scale"),
                R(Write, "autoscaling", "horizontalpodautoscalers"),
                R(Write, "batch", "cronjobs,jobs"),
                R(Write, "extensions", "daemonsets,deployments,deployments/rollback,deployments/scale,ingresses,networkpolicies,replicasets,replicasets/scale,replicationcontrollers/scale"),
                R(Write, "policy", "poddisruptionbudgets"),
                R(Write, "networking.k8s.io", "ingresses,networkpolicies"),
                R(ReadWrite, "coordination.k8s.io", "leases")),
            Labelled("system:aggregate-to-view", "rbac.authorization.k8s.io/aggregate-to-view",
                R(Read, "", "configmaps,endpoints,persistentvolumeclaims,persistentvolumeclaims/status,pods,replicationcontrollers,replicationcontrollers/scale,serviceaccounts,services,services/status"),
                R(Read, "", "bindings,events,limitranges,namespaces/status,pods/log,pods/status,replicationcontrollers/status,resourcequotas,resourcequotas/status"),
                R(Read, "", "namespaces"),
                R(Read, "discovery.k8s.io", "endpointslices"),
                R(Read, "apps", "controllerrevisions,daemonsets,daemonsets/status,deployments,deployments/scale,deployments/status,replicasets,replicasets/scale,replicasets/status,statefulsets,statefulsets/scale,statefulsets/status"),
                R(Read, "autoscaling", "horizontalpodautoscalers,horizontalpodautoscalers/status"),
                R(Read, "batch", "cronjobs,cronjobs/status,jobs,jobs/status"),
                R(Read, "extensions", "daemonsets,daemonsets/status,deployments,deployments/scale,deployments/status,ingresses,ingresses/status,networkpolicies,replicasets,replicasets/scale,replicasets/status,replicationcontrollers/scale"),
                R(Read, "policy", "poddisruptionbudgets,poddisruptionbudgets/status"),
                R(Read, "networking.k8s.io", "ingresses,ingresses/status,networkpolicies")),
            Cluster("system:heapster", R(Read, "", "events,namespaces,nodes,pods"), R(Read, "extensions", "deployments")),
            new("system:node", "", NodeRules, null),

            // Skiff: the hollow nodes' shared client (skiff:hollow-node in skiff:hollow-nodes) only feeds the set's two
            // informers (pods bound to a node, the hollow Nodes); each node writes as system:node:NAME with its own
            // token (HollowNodeTokens), confined by the Node authorizer and NodeRestriction like a real kubelet.
            Cluster(HollowNodeRole, R(Read, "", "pods,nodes")),

            // Skiff: the local-path provisioner runs inside the controller manager (upstream ships it apart, as
            // rancher's local-path-provisioner with its own role); it also creates the default StorageClass.
            Cluster(LocalPathRole,
                R(Read, "", "nodes,persistentvolumeclaims,configmaps,pods"),
                R("get,list,watch,create,patch,update,delete", "", "persistentvolumes"),
                R("update,patch", "", "persistentvolumeclaims"),
                R("get,list,watch,create", "storage.k8s.io", "storageclasses"),
                EventsRule),
            // Skiff: the cluster DNS runs in the skiff process as system:kube-dns (upstream's CoreDNS is a pod with the
            // kube-dns service account) and also keeps the selector-less kube-dns Service and its endpoints current.
            Cluster(KubeDnsRole,
                R("list,watch", "", "endpoints,services"),
                R("list,watch", "discovery.k8s.io", "endpointslices"),
                R("create", "", "services,endpoints"),
                R("get,update,patch", "", "services,endpoints", "kube-dns"),
                R("get,create,update,patch", "discovery.k8s.io", "endpointslices")),

            // Skiff: k3s-style ServiceLB (status.loadBalancer of LoadBalancer Services from the nodes' addresses).
            Cluster(ServiceLbRole, R("get,list,watch", "", "services,nodes"), R("update,patch", "", "services/status"), EventsRule),

            // Skiff: upstream's legacy token controller runs with the controller manager's own (root) credentials; here it
            // gets exactly what it does: read service accounts, write their token Secrets.
            Cluster(ServiceAccountTokenRole, R("get,list,watch", "", "serviceaccounts"), R("get,list,watch,create,update,patch,delete", "", "secrets"), EventsRule),
            // Skiff: the node's NetworkPolicy enforcer (k3s runs kube-router's netpol controller in its agent) reads the
            // policies and every pod and namespace a peer selector can match.
            Cluster(NetworkPolicyRole, R("list,watch", "", "pods,namespaces"), R("list,watch", "networking.k8s.io", "networkpolicies")),
            Cluster("system:node-problem-detector", R("get", "", "nodes"), R("patch", "", "nodes/status"), EventsRule),
            Cluster("system:node-bootstrapper", R("create,get,list,watch", "certificates.k8s.io", "certificatesigningrequests")),
            Cluster("system:auth-delegator", R("create", "authentication.k8s.io", "tokenreviews"), R("create", "authorization.k8s.io", "subjectaccessreviews")),
            Cluster("system:kube-aggregator", R(Read, "", "endpoints,services")),
            Cluster("system:kube-controller-manager",
                EventsRule,
                R("create", "coordination.k8s.io", "leases"),
                R("get,update", "coordination.k8s.io", "leases", "kube-controller-manager"),
                R("create", "", "secrets,serviceaccounts"),
                R("delete", "", "secrets"),
                R("get", "", "configmaps,namespaces,secrets,serviceaccounts"),
                R("update", "", "secrets,serviceaccounts"),
                R("create", "authentication.k8s.io", "tokenreviews"),
                R("create", "authorization.k8s.io", "subjectaccessreviews"),
                R("list,watch", "*", "*"),
                R("create", "", "serviceaccounts/token")),
            Cluster("system:kube-dns", R("list,watch", "", "endpoints,services"), R("list,watch", "discovery.k8s.io", "endpointslices")),
            Cluster("system:persistent-volume-provisioner",
                R("create,delete,get,list,watch", "", "persistentvolumes"),
                R("get,list,update,watch", "", "persistentvolumeclaims"),
                R(Read, "storage.k8s.io", "storageclasses"),
                R("watch", "", "events"),
                EventsRule),
            Cluster("system:kube-scheduler",
                EventsRule,
                R("create", "coordination.k8s.io", "leases"),
                R("get,update", "coordination.k8s.io", "leases", "kube-scheduler"),
                R(Read, "", "nodes"),
                R("delete,get,list,watch", "", "pods"),
                R("create", "", "bindings,pods/binding"),
                R("patch,update", "", "pods/status"),
                R(Read, "", "replicationcontrollers,services"),
                R(Read, "apps,extensions", "replicasets"),
                R(Read, "apps", "statefulsets"),
                R(Read, "policy", "poddisruptionbudgets"),
                R(Read, "", "persistentvolumeclaims,persistentvolumes"),
                R("create", "authentication.k8s.io", "tokenreviews"),
                R("create", "authorization.k8s.io", "subjectaccessreviews"),
                R(Read, "storage.k8s.io", "csinodes"),
                R(Read, "", "namespaces"),
                R(Read, "storage.k8s.io", "csidrivers"),
                R(Read, "storage.k8s.io", "csistoragecapacities")),
            Cluster("system:volume-scheduler",
                R("get,list,patch,update,watch", "", "persistentvolumes"),
                R(Read, "storage.k8s.io", "storageclasses"),
                R("get,list,patch,update,watch", "", "persistentvolumeclaims")),
            Cluster("system:kubelet-api-admin", R(Read, "", "nodes"), R("proxy", "", "nodes"), R("*", "", "nodes/log,nodes/metrics,nodes/proxy,nodes/stats")),
            Cluster("system:node-proxier",
                R("list,watch", "", "endpoints,services"),
                R(Read, "", "nodes"),
                EventsRule,
                R("list,watch", "discovery.k8s.io", "endpointslices")),
            Cluster("system:service-account-issuer-discovery", U("get", "/.well-known/openid-configuration,/.well-known/openid-configuration/,/openid/v1/jwks,/openid/v1/jwks/")),
            Cluster("system:certificates.k8s.io:certificatesigningrequests:nodeclient", R("create", "certificates.k8s.io", "certificatesigningrequests/nodeclient")),
            Cluster("system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", R("create", "certificates.k8s.io", "certificatesigningrequests/selfnodeclient")),
            Cluster("system:certificates.k8s.io:kube-apiserver-client-approver", R("approve", "certificates.k8s.io", "signers", "kubernetes.io/kube-apiserver-client")),
            Cluster("system:certificates.k8s.io:kube-apiserver-client-kubelet-approver", R("approve", "certificates.k8s.io", "signers", "kubernetes.io/kube-apiserver-client-kubelet")),
            Cluster("system:certificates.k8s.io:kubelet-serving-approver", R("approve", "certificates.k8s.io", "signers", "kubernetes.io/kubelet-serving")),
            Cluster("system:certificates.k8s.io:legacy-unknown-approver", R("approve", "certificates.k8s.io", "signers", "kubernetes.io/legacy-unknown")),

            // Namespaced roles (namespace_policy.go).
            new("extension-apiserver-authentication-reader", "kube-system", [R(Read, "", "configmaps", "extension-apiserver-authentication")]),
            new("system::leader-locking-kube-controller-manager", "kube-system", [R("watch", "", "configmaps"), R("get,update", "", "configmaps", "kube-controller-manager")]),
            new("system::leader-locking-kube-scheduler", "kube-system", [R("watch", "", "configmaps"), R("get,update", "", "configmaps", "kube-scheduler")]),
            new(ControllerRolePrefix + "token-cleaner", "kube-system", [R("delete,get,list,watch", "", "secrets"), EventsRule]),
        };
        roles.AddRange(ControllerRoles());
        return roles;
    }

    /// <summary>The <c>system:controller:*</c> roles (controller_policy.go), one per controller.</summary>
    private static IEnumerable<BootstrapRole> ControllerRoles()
    {
        yield return Controller("attachdetach-controller",
            R("list,watch", "", "persistentvolumes,persistentvolumeclaims"), R(Read, "", "nodes"), R("patch,update", "", "nodes/status"),
            R("list,watch", "", "pods"), EventsRule, R("get,create,delete,list,watch", "storage.k8s.io", "volumeattachments"),
            R("get,watch,list", "storage.k8s.io", "csidrivers"), R("get,watch,list", "storage.k8s.io", "csinodes"));
        yield return Controller("clusterrole-aggregation-controller", R("escalate,get,list,watch,update,patch", Rbac, "clusterroles"));
        yield return Controller("cronjob-controller",
            R("get,list,watch,update", "batch", "cronjobs"), R("get,list,watch,create,update,delete,patch", "batch", "jobs"),
            R("update", "batch", "cronjobs/status"), R("update", "batch", "cronjobs/finalizers"), R("list,watch,delete", "", "pods"), EventsRule);
        yield return Controller("daemon-set-controller",
            R(Read, "extensions,apps", "daemonsets"), R("update", "extensions,apps", "daemonsets/status"), R("update", "extensions,apps", "daemonsets/finalizers"),
            R("list,watch", "", "nodes"), R("list,watch,create,delete,patch", "", "pods"), R("create", "", "pods/binding"),
            R("get,list,watch,create,delete,update,patch", "apps", "controllerrevisions"), EventsRule);
        yield return Controller("deployment-controller",
            R("get,list,watch,update", "extensions,apps", "deployments"), R("update", "extensions,apps", "deployments/status"),
            R("update", "extensions,apps", "deployments/finalizers"), R("get,list,watch,create,update,patch,delete", "apps,extensions", "replicasets"),
            R("get,list,watch,update", "", "pods"), EventsRule);
        yield return Controller("disruption-controller",
            R(Read, "extensions,apps", "deployments"), R(Read, "apps,extensions", "replicasets"), R(Read, "", "replicationcontrollers"),
            R(Read, "policy", "poddisruptionbudgets"), R(Read, "apps", "statefulsets"), R("update", "policy", "poddisruptionbudgets/status"),
            R("patch,update", "", "pods/status"), R("get", "*", "*/scale"), EventsRule);
        yield return Controller("endpoint-controller",
            R(Read, "", "services,pods"), R("get,list,watch,create,update,delete", "", "endpoints"), R("create", "", "endpoints/restricted"), EventsRule);
        yield return Controller("endpointslice-controller",
            R(Read, "", "services,pods,nodes"), R("update", "", "services/finalizers"),
            R("get,list,watch,create,update,delete", "discovery.k8s.io", "endpointslices"), EventsRule);
        yield return Controller("endpointslicemirroring-controller",
            R(Read, "", "services,endpoints"), R("update", "", "services/finalizers"), R("update", "", "endpoints/finalizers"),
            R("get,list,watch,create,update,delete", "discovery.k8s.io", "endpointslices"), EventsRule);
        yield return Controller("expand-controller",
            R("get,list,watch,update,patch", "", "persistentvolumes"), R("update,patch", "", "persistentvolumeclaims/status"),
            R(Read, "", "persistentvolumeclaims"), EventsRule, R("get", "", "services"));
        yield return Controller("ephemeral-volume-controller",
            R(Read, "", "pods"), R("update", "", "pods/finalizers"), R("get,list,watch,create", "", "persistentvolumeclaims"), EventsRule);
        yield return Controller("generic-garbage-collector", R("get,list,watch,patch,update,delete", "*", "*"), EventsRule);
        yield return Controller("horizontal-pod-autoscaler",
            R(Read, "autoscaling", "horizontalpodautoscalers"), R("update", "autoscaling", "horizontalpodautoscalers/status"),
            R("get,update", "*", "*/scale"), R("list,watch", "", "pods"), R("list,watch", "metrics.k8s.io", "pods"),
            R(Read, "custom.metrics.k8s.io", "*"), R(Read, "external.metrics.k8s.io", "*"), EventsRule);
        yield return Controller("job-controller",
            R("get,list,watch,update,patch", "batch", "jobs"), R("update", "batch", "jobs/status"), R("update", "batch", "jobs/finalizers"),
            R("list,watch,create,delete,patch", "", "pods"), EventsRule);
        yield return Controller("namespace-controller",
            R("get,list,watch,delete", "", "namespaces"), R("update", "", "namespaces/finalize,namespaces/status"),
            R("get,list,watch,delete,deletecollection", "*", "*"));
        yield return Controller("node-controller",
            R("get,list,watch,update,delete,patch", "", "nodes"), R("patch,update", "", "nodes/status"), R("patch,update", "", "pods/status"),
            R("list,watch,get,delete", "", "pods"), EventsRule);
        yield return Controller("persistent-volume-binder",
            R("get,list,watch,update,create,delete", "", "persistentvolumes"), R("update", "", "persistentvolumes/status"),
            R("get,list,watch,update", "", "persistentvolumeclaims"), R("update", "", "persistentvolumeclaims/status"),
            R("list,watch,get,create,delete", "", "pods"), R(Read, "storage.k8s.io", "storageclasses"), R("list,watch", "", "nodes"),
            EventsRule, R("watch", "", "events"), R("get", "", "services"));
        yield return Controller("pod-garbage-collector", R("list,watch,delete", "", "pods"), R(Read, "", "nodes"), R("patch", "", "pods/status"));
        yield return Controller("replicaset-controller",
            R("get,list,watch,update", "apps,extensions", "replicasets"), R("update", "apps,extensions", "replicasets/status"),
            R("update", "apps,extensions", "replicasets/finalizers"), R("list,watch,patch,create,delete", "", "pods"), EventsRule);
        yield return Controller("replication-controller",
            R("get,list,watch,update", "", "replicationcontrollers"), R("update", "", "replicationcontrollers/status"),
            R("update", "", "replicationcontrollers/finalizers"), R("list,watch,patch,create,delete", "", "pods"), EventsRule);
        yield return Controller("resourcequota-controller", R("list,watch", "*", "*"), R("update", "", "resourcequotas/status"), EventsRule);
        yield return Controller("route-controller", R("list,watch", "", "nodes"), R("patch", "", "nodes/status"), EventsRule);
        yield return Controller("service-account-controller", R("create", "", "serviceaccounts"), EventsRule);
        yield return Controller("service-controller", R(Read, "", "services"), R("patch,update", "", "services/status"), R("list,watch", "", "nodes"), EventsRule);
        yield return Controller("statefulset-controller",
            R("list,watch", "", "pods"), R(Read, "apps", "statefulsets"), R("update", "apps", "statefulsets/status"),
            R("update", "apps", "statefulsets/finalizers"), R("get,create,delete,update,patch", "", "pods"),
            R("get,create,delete,update,patch,list,watch", "apps", "controllerrevisions"),
            R("get,create,list,watch", "", "persistentvolumeclaims"), R("update,delete", "", "persistentvolumeclaims"),
            R("update", "", "pods/finalizers"), EventsRule);
        yield return Controller("ttl-controller", R("update,patch,list,watch", "", "nodes"), EventsRule);
        yield return Controller("certificate-controller",
            R("get,list,watch,delete", "certificates.k8s.io", "certificatesigningrequests"),
            R("update", "certificates.k8s.io", "certificatesigningrequests/status,certificatesigningrequests/approval"),
            R("approve", "certificates.k8s.io", "signers", "kubernetes.io/kube-apiserver-client-kubelet"),
            R("sign", "certificates.k8s.io", "signers", "kubernetes.io/legacy-unknown,kubernetes.io/kube-apiserver-client,kubernetes.io/kube-apiserver-client-kubelet,kubernetes.io/kubelet-serving"),
            R("create", "authorization.k8s.io", "subjectaccessreviews"), EventsRule);
        yield return Controller("pvc-protection-controller", R("get,list,watch,update", "", "persistentvolumeclaims"), R("list,watch,get", "", "pods"), EventsRule);
        yield return Controller("pv-protection-controller", R("get,list,watch,update", "", "persistentvolumes"), EventsRule);
        yield return Controller("ttl-after-finished-controller", R("get,list,watch,delete", "batch", "jobs"), EventsRule);
        yield return Controller("root-ca-cert-publisher", R("create,update", "", "configmaps"), EventsRule);
        yield return Controller("validatingadmissionpolicy-status-controller",
            R(Read, "admissionregistration.k8s.io", "validatingadmissionpolicies"),
            R("get,patch,update", "admissionregistration.k8s.io", "validatingadmissionpolicies/status"), EventsRule);
        yield return Controller("legacy-service-account-token-cleaner",
            R("get", "", "configmaps", "kube-apiserver-legacy-service-account-token-tracking"), R("patch,delete", "", "secrets"));
    }

    private static List<BootstrapBinding> BuildBindings()
    {
        var bindings = new List<BootstrapBinding>
        {
            ClusterBinding("cluster-admin", Group("system:masters")),
            ClusterBinding("system:monitoring", Group("system:monitoring")),
            ClusterBinding("system:discovery", Group("system:authenticated")),
            ClusterBinding("system:basic-user", Group("system:authenticated")),
            ClusterBinding("system:public-info-viewer", Group("system:authenticated"), Group("system:unauthenticated")),
            ClusterBinding("system:node-proxier", User("system:kube-proxy")),
            ClusterBinding("system:kube-controller-manager", User("system:kube-controller-manager")),
            ClusterBinding("system:kube-dns", new RbacSubject("ServiceAccount", "kube-dns", "kube-system")),
            ClusterBinding("system:kube-scheduler", User("system:kube-scheduler")),
            ClusterBinding("system:volume-scheduler", User("system:kube-scheduler")),
            ClusterBinding("system:node"),

            // Skiff (as k3s): the API server's kubelet-client identity may use every kubelet API (the kubelets authorize it with a SubjectAccessReview).
            new("kube-apiserver-kubelet-admin", "", "ClusterRole", "system:kubelet-api-admin", [User("kube-apiserver-kubelet-client")]),
            ClusterBinding(HollowNodeRole, Group("skiff:hollow-nodes")),
            new(ControllerManagerBindingPrefix + "local-path-provisioner", "", "ClusterRole", LocalPathRole, [User("system:kube-controller-manager")]),
            new(ControllerManagerBindingPrefix + "servicelb", "", "ClusterRole", ServiceLbRole, [User("system:kube-controller-manager")]),
            new(ControllerManagerBindingPrefix + "serviceaccount-token", "", "ClusterRole", ServiceAccountTokenRole, [User("system:kube-controller-manager")]),
            ClusterBinding(KubeDnsRole, User("system:kube-dns")),
            ClusterBinding(NetworkPolicyRole, User("system:skiff-network-policy")),
            ClusterBinding("system:service-account-issuer-discovery", Group("system:serviceaccounts")),

            // Skiff, as kubeadm's TLS-bootstrap bindings: bootstrap-token users (group system:bootstrappers) may submit
            // kubelet client CSRs that csrapproving approves; nodes may renew their own client certificates.
            new(KubeletBootstrapBinding, "", "ClusterRole", "system:node-bootstrapper", [Group(BootstrappersGroup)]),
            new(NodeAutoApproveBootstrapBinding, "", "ClusterRole", "system:certificates.k8s.io:certificatesigningrequests:nodeclient", [Group(BootstrappersGroup)]),
            new(NodeAutoApproveRotationBinding, "", "ClusterRole", "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient", [Group("system:nodes")]),
            new("system::extension-apiserver-authentication-reader", "kube-system", "Role", "extension-apiserver-authentication-reader",
                [User("system:kube-controller-manager"), User("system:kube-scheduler")]),
            new("system::leader-locking-kube-controller-manager", "kube-system", "Role", "system::leader-locking-kube-controller-manager",
                [User("system:kube-controller-manager"), new RbacSubject("ServiceAccount", "kube-controller-manager", "kube-system")]),
            new("system::leader-locking-kube-scheduler", "kube-system", "Role", "system::leader-locking-kube-scheduler",
                [User("system:kube-scheduler"), new RbacSubject("ServiceAccount", "kube-scheduler", "kube-system")]),
        };

        foreach (var role in Roles.Where(r => r.Name.StartsWith(ControllerRolePrefix, StringComparison.Ordinal)))
        {
            var controller = role.Name[ControllerRolePrefix.Length..];
            if (role.Namespace.Length > 0)
            {
                // A namespaced controller Role (token-cleaner in kube-system): its RoleBinding, as namespace_policy.go.
                bindings.Add(new BootstrapBinding(role.Name, role.Namespace, "Role", role.Name, [new RbacSubject("ServiceAccount", controller, "kube-system")]));
                continue;
            }

            bindings.Add(new BootstrapBinding(role.Name, "", "ClusterRole", role.Name, [new RbacSubject("ServiceAccount", controller, "kube-system")]));

            // Skiff: the controller manager runs every controller as system:kube-controller-manager.
            bindings.Add(new BootstrapBinding(ControllerManagerBindingPrefix + controller, "", "ClusterRole", role.Name, [User("system:kube-controller-manager")]));
        }

        return bindings;
    }

    private static BootstrapRole Cluster(string name, params PolicyRule[] rules) => new(name, "", rules);

    private static BootstrapRole Controller(string name, params PolicyRule[] rules) => new(ControllerRolePrefix + name, "", rules);

    private static BootstrapRole Labelled(string name, string label, params PolicyRule[] rules) =>
        new(name, "", rules, new Dictionary<string, string> { [label] = "true" });

    private static BootstrapRole Aggregated(string name, string selectorLabel, string? label) =>
        new(name, "", [], label is null ? null : new Dictionary<string, string> { [label] = "true" },
            [new Dictionary<string, string> { [selectorLabel] = "true" }]);

    private static BootstrapBinding ClusterBinding(string role, params RbacSubject[] subjects) => new(role, "", "ClusterRole", role, subjects);

    private static RbacSubject Group(string name) => new("Group", name, "");

    private static RbacSubject User(string name) => new("User", name, "");

    /// <summary>A resource rule from comma-separated verbs, groups (empty = core) and resources.</summary>
    private static PolicyRule R(string verbs, string groups, string resources, string? names = null) =>
        PolicyRule.Resource(verbs.Split(','), groups.Split(','), resources.Split(','), names?.Split(','));

    private static PolicyRule U(string verbs, string urls) => PolicyRule.Urls(verbs.Split(','), urls.Split(','));
}
