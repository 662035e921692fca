using k8s.Models;
using Skiff.Client.Cache;
using Skiff.Client.Events;
using Skiff.Client.Rest;
using Skiff.Client.Runtime;
using Skiff.Client.Typed;
using TrainingOperator.Api;

namespace TrainingOperator.Controllers;

/// <summary>
/// Drives one TrainingJob: records Created, creates the headless Service of each replica type and the missing pods
/// (deleting pods beyond the replica count), then writes the status computed by <see cref="JobStatusCalculator"/>
/// through the status subresource. Once the job has succeeded or failed it creates nothing more and deletes pods by
/// <see cref="CleanPodPolicy"/>. Reads come from the manager's informers; a write that loses a race throws, and the
/// request is retried with backoff. Deleting the job is left to the garbage collector (every object it creates is
/// controlled by the job).
/// </summary>
public sealed class TrainingJobReconciler(Manager manager, EventRecorder recorder) : IReconciler
{
    private readonly Lister<TrainingJob> _jobs = manager.Informers.Informer<TrainingJob>().Lister;
    private readonly Lister<V1Pod> _pods = manager.Informers.Informer<V1Pod>().Lister;
    private readonly Lister<V1Service> _services = manager.Informers.Informer<V1Service>().Lister;

    public async Task<ReconcileResult> ReconcileAsync(ReconcileRequest request, CancellationToken ct)
    {
        var job = _jobs.Get(request.Namespace, request.Name);
        if (job is null || job.Metadata.DeletionTimestamp is not null)
        {
            return ReconcileResult.Done;
        }

        var now = manager.Options.TimeProvider.GetUtcNow().UtcDateTime;
        var ns = job.Metadata.NamespaceProperty;
        var status = job.Status is null ? new TrainingJobStatus() : KubernetesSerialization.DeepCopy(job.Status);
        if (JobConditions.Get(status, JobConditionTypes.Created) is null)
        {
            var message = $"TrainingJob {ns}/{job.Metadata.Name} is created.";
            JobConditions.Set(status, JobConditionTypes.Created, "TrainingJobCreated", message, now);
            recorder.Event(job, EventRecorder.Normal, "TrainingJobCreated", message);
        }

        status.StartTime ??= now;
        var pods = _pods.List(ns).Where(p => ReplicaResources.IsControlledBy(p.Metadata, job)).ToList();
        if (!JobConditions.IsFinished(status))
        {
            await EnsureReplicasAsync(job, pods, ct).ConfigureAwait(false);
        }

        var events = JobStatusCalculator.Update(job, status, pods, now);

        if (JobConditions.IsFinished(status))
        {
            await CleanPodsAsync(job, pods, ct).ConfigureAwait(false);
        }

        if (!ReplicaResources.SameJson(job.Status, status))
        {
            var updated = KubernetesSerialization.DeepCopy(job);
            updated.Status = status;
            await manager.Clientset.Resource<TrainingJob, TrainingJobList>(ns).UpdateStatusAsync(updated, ct: ct).ConfigureAwait(false);

            // Only after the write: a reconcile from a stale cache recomputes the same transition, loses the write
            // (conflict) and so does not record it twice.
            foreach (var e in events)
            {
                recorder.Event(job, e.Type, e.Reason, e.Message);
            }
        }

        return ReconcileResult.Done;
    }

    private async Task EnsureReplicasAsync(TrainingJob job, List<V1Pod> pods, CancellationToken ct)
    {
        var ns = job.Metadata.NamespaceProperty;
        var podClient = manager.Clientset.CoreV1().Pods(ns);
        var serviceClient = manager.Clientset.CoreV1().Services(ns);
        foreach (var type in ReplicaTypes.All.Where(job.Spec.ReplicaSpecs.ContainsKey))
        {
            var serviceName = ReplicaResources.ServiceName(job.Metadata.Name, type);
            if (_services.Get(ns, serviceName) is null)
            {
                await CreateAsync(() => serviceClient.CreateAsync(ReplicaResources.Service(job, type), ct: ct), job, "SuccessfulCreateService", $"Created service: {serviceName}").ConfigureAwait(false);
            }

            var replicas = ReplicaResources.Replicas(job.Spec.ReplicaSpecs[type]);
            var existing = pods.Select(p => (Pod: p, Id: ReplicaResources.Identify(p))).Where(x => x.Id?.Type == type).ToList();
            for (var i = 0; i < replicas; i++)
            {
                var index = i;
                if (!existing.Any(x => x.Id!.Value.Index == index))
                {
                    var pod = ReplicaResources.Pod(job, type, index);
                    await CreateAsync(() => podClient.CreateAsync(pod, ct: ct), job, "SuccessfulCreatePod", $"Created pod: {pod.Metadata.Name}").ConfigureAwait(false);
                }
            }

            foreach (var (pod, _) in existing.Where(x => x.Id!.Value.Index >= replicas && x.Pod.Metadata.DeletionTimestamp is null))
            {
                await DeleteAsync(job, pod, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task CleanPodsAsync(TrainingJob job, List<V1Pod> pods, CancellationToken ct)
    {
        var policy = job.Spec.CleanPodPolicy ?? CleanPodPolicy.Running;
        foreach (var pod in pods.Where(p => p.Metadata.DeletionTimestamp is null))
        {
            if (policy == CleanPodPolicy.All || (policy == CleanPodPolicy.Running && pod.Status?.Phase is null or "Pending" or "Running"))
            {
                await DeleteAsync(job, pod, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task CreateAsync(Func<Task> create, TrainingJob job, string reason, string message)
    {
        try
        {
            await create().ConfigureAwait(false);
            recorder.Event(job, EventRecorder.Normal, reason, message);
        }
        catch (Exception e) when (ApiErrors.IsAlreadyExists(e))
        {
            // Created by an earlier reconcile the cache has not seen yet.
        }
    }

    private async Task DeleteAsync(TrainingJob job, V1Pod pod, CancellationToken ct)
    {
        try
        {
            await manager.Clientset.CoreV1().Pods(pod.Metadata.NamespaceProperty).DeleteAsync(pod.Metadata.Name, ct: ct).ConfigureAwait(false);
            recorder.Event(job, EventRecorder.Normal, "SuccessfulDeletePod", $"Deleted pod: {pod.Metadata.Name}");
        }
        catch (Exception e) when (ApiErrors.IsNotFound(e))
        {
        }
    }
}
