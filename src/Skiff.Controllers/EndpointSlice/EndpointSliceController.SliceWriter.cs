using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Controllers.EndpointSlice;

/// <summary>Writing a reconcile plan (shared with the mirroring controller).</summary>
internal sealed partial class EndpointSliceController
{
    /// <summary>Writes a <see cref="SliceReconciler.Plan"/>: creations, then updates, then deletions, each recorded in a tracker.</summary>
    internal sealed class SliceWriter(Clientset clientset)
    {
        /// <summary>Applies <paramref name="plan"/> in <paramref name="ns"/> for <paramref name="owner"/>.</summary>
        public async Task ApplyAsync(string owner, string ns, SliceReconciler.Plan plan, SliceTracker tracker, CancellationToken ct)
        {
            var client = clientset.Resource<V1EndpointSlice, V1EndpointSliceList>(ns);
            foreach (var s in plan.Create)
            {
                try
                {
                    tracker.Written(owner, await client.CreateAsync(s, ct: ct).ConfigureAwait(false));
                }
                catch (KubernetesApiException e) when (e.IsForbidden)
                {
                    // The namespace is terminating.
                    return;
                }
            }

            foreach (var s in plan.Update)
            {
                tracker.Written(owner, await client.UpdateAsync(s, ct: ct).ConfigureAwait(false));
            }

            foreach (var s in plan.Delete)
            {
                try
                {
                    await client.DeleteAsync(s.Metadata.Name, ct: ct).ConfigureAwait(false);
                }
                catch (KubernetesApiException e) when (e.IsNotFound)
                {
                }

                tracker.Removed(owner, s.Metadata.Name);
            }
        }
    }
}
