namespace Skiff.Controllers;

/// <summary>
/// The catalogue of built-in controllers, one line each (like the API server's <c>BuiltInResources</c>), and upstream's
/// <c>--controllers</c> selection: <c>*</c> enables every controller enabled by default, <c>foo</c> enables foo,
/// <c>-foo</c> disables foo (the first match wins, as in <c>IsControllerEnabled</c>).
/// </summary>
public static class BuiltInControllers
{
    /// <summary>Every built-in controller, in registration order.</summary>
    public static IReadOnlyList<ControllerDescriptor> All { get; } =
    [
        new("namespace", true, Namespace.NamespaceController.Register),
        new("garbagecollector", true, GarbageCollector.GarbageCollector.Register),
        new("serviceaccount", true, ServiceAccount.ServiceAccountsController.Register),
        new("root-ca-cert-publisher", true, RootCaCertPublisher.RootCaCertPublisher.Register),
        new("replicationcontroller", true, ctx => ReplicaSet.ReplicaSetController.Register(ctx, new ReplicaSet.ReplicationControllerKind(ctx))),
        new("replicaset", true, ctx => ReplicaSet.ReplicaSetController.Register(ctx, new ReplicaSet.AppsReplicaSetKind(ctx))),
        new("deployment", true, ctx => Deployment.DeploymentController.Register(ctx)),
        new("job", true, ctx => Job.JobController.Register(ctx)),
        new("ttl-after-finished", true, TtlAfterFinished.TtlAfterFinishedController.Register),
        new("cronjob", true, ctx => CronJob.CronJobController.Register(ctx)),
        new("podgc", true, ctx => PodGC.PodGcController.Register(ctx)),
        new("disruption", true, ctx => Disruption.DisruptionController.Register(ctx)),
        new("persistentvolume-binder", true, ctx => PersistentVolume.PersistentVolumeBinder.Register(ctx)),
        new("local-path-provisioner", true, ctx => LocalPath.LocalPathProvisioner.Register(ctx)),
        new("daemonset", true, ctx => DaemonSet.DaemonSetController.Register(ctx)),
        new("statefulset", true, ctx => StatefulSet.StatefulSetController.Register(ctx)),
        new("endpoint", true, Endpoints.EndpointsController.Register),
        new("endpointslice", true, EndpointSlice.EndpointSliceController.Register),
        new("endpointslicemirroring", true, EndpointSliceMirroring.EndpointSliceMirroringController.Register),
        new("nodelifecycle", true, NodeLifecycle.NodeLifecycleController.Register),
        new("taint-eviction-controller", true, TaintEviction.TaintEvictionController.Register),
        new("clusterrole-aggregation", true, ClusterRoleAggregation.ClusterRoleAggregationController.Register),
        new("servicelb", true, ServiceLb.ServiceLbController.Register),
        new("serviceaccount-token", true, ServiceAccountToken.TokensController.Register),
        new("resourcequota", true, ResourceQuota.ResourceQuotaController.Register),
        new("csrsigning", true, Certificates.CsrSigningController.Register),
        new("csrapproving", true, Certificates.CsrApprovingController.Register),
        new("csrcleaner", true, ctx => Certificates.CsrCleanerController.Register(ctx)),
        new("tokencleaner", false, Bootstrap.TokenCleaner.Register),
    ];

    /// <summary>The controllers <paramref name="selection"/> enables (default: <c>*</c>).</summary>
    /// <exception cref="ArgumentException">A name that is not a known controller.</exception>
    public static IReadOnlyList<ControllerDescriptor> Select(IReadOnlyList<string>? selection = null)
    {
        selection = selection is null || selection.Count == 0 ? ["*"] : selection;
        foreach (var s in selection)
        {
            var name = s.TrimStart('-');
            if (name != "*" && All.All(c => c.Name != name))
            {
                throw new ArgumentException($"\"{name}\" is not in the list of known controllers", nameof(selection));
            }
        }

        return [.. All.Where(c => IsEnabled(c, selection))];
    }

    private static bool IsEnabled(ControllerDescriptor controller, IReadOnlyList<string> selection)
    {
        var star = false;
        foreach (var s in selection)
        {
            if (s == controller.Name)
            {
                return true;
            }

            if (s == "-" + controller.Name)
            {
                return false;
            }

            star |= s == "*";
        }

        return star && controller.EnabledByDefault;
    }
}
