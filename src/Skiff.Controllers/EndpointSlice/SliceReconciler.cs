using k8s.Models;
using Skiff.Client.Rest;

namespace Skiff.Controllers.EndpointSlice;

/// <summary>
/// The placement half of upstream's EndpointSlice reconciler (<c>k8s.io/endpointslice/reconciler.go</c>
/// <c>reconcileByPortMapping</c> and <c>finalize</c>), shared by the endpointslice and mirroring controllers. Given the
/// desired endpoints grouped by port list and the slices that exist, it plans the fewest writes:
/// <list type="number">
/// <item>Each existing slice keeps the desired endpoints it already holds (changed ones replaced in place) and drops
/// the rest; a slice left empty is deleted, a changed one updated.</item>
/// <item>Remaining endpoints first fill the slices already being updated, fullest first, up to the cap.</item>
/// <item>Then, when fewer than a slice's worth remain, the fullest unchanged slice they fit into takes them;
/// otherwise new slices are created.</item>
/// <item>Creations reuse slices about to be deleted (an update instead of a delete and a create).</item>
/// </list>
/// With no endpoints at all one empty placeholder slice (no ports) is kept, as upstream does.
/// </summary>
internal sealed class SliceReconciler(int maxEndpointsPerSlice)
{
    /// <summary>The writes a reconcile needs.</summary>
    public sealed record Plan(List<V1EndpointSlice> Create, List<V1EndpointSlice> Update, List<V1EndpointSlice> Delete)
    {
        /// <summary>Whether nothing needs writing.</summary>
        public bool IsEmpty => Create.Count == 0 && Update.Count == 0 && Delete.Count == 0;
    }

    /// <summary>One group of desired endpoints sharing a port list.</summary>
    public sealed record Desired(IList<Discoveryv1EndpointPort> Ports, IReadOnlyList<V1Endpoint> Endpoints);

    /// <summary>The most endpoints per slice.</summary>
    public int MaxEndpointsPerSlice { get; } = maxEndpointsPerSlice;

    /// <summary>
    /// Plans the writes. <paramref name="existing"/> are the slices this controller manages for the object;
    /// <paramref name="owned"/> says which of them belong to the current object (the others are deleted);
    /// <paramref name="newSlice"/> makes an empty slice for a port list (generateName, labels, owner);
    /// <paramref name="fixMeta"/> brings a copy's labels and annotations up to date and says whether it changed them.
    /// </summary>
    public Plan Reconcile(
        IReadOnlyList<Desired> desired,
        IReadOnlyList<V1EndpointSlice> existing,
        Func<V1EndpointSlice, bool> owned,
        Func<IList<Discoveryv1EndpointPort>, V1EndpointSlice> newSlice,
        Func<V1EndpointSlice, bool> fixMeta)
    {
        var create = new List<V1EndpointSlice>();
        var update = new List<V1EndpointSlice>();
        var delete = new List<V1EndpointSlice>();
        var existingByPorts = new Dictionary<string, List<V1EndpointSlice>>(StringComparer.Ordinal);
        foreach (var s in existing)
        {
            if (!owned(s))
            {
                delete.Add(s);
                continue;
            }

            var k = SliceKeys.Ports(s.Ports);
            if (!existingByPorts.TryGetValue(k, out var list))
            {
                existingByPorts[k] = list = [];
            }

            list.Add(s);
        }

        var desiredByPorts = new Dictionary<string, Desired>(StringComparer.Ordinal);
        foreach (var d in desired)
        {
            var k = SliceKeys.Ports(d.Ports);
            desiredByPorts[k] = desiredByPorts.TryGetValue(k, out var prior) ? prior with { Endpoints = [.. prior.Endpoints, .. d.Endpoints] } : d;
        }

        foreach (var (k, d) in desiredByPorts)
        {
            ByPortMapping(d, existingByPorts.GetValueOrDefault(k) ?? [], newSlice, fixMeta, create, update, delete);
        }

        foreach (var (k, slices) in existingByPorts)
        {
            if (!desiredByPorts.ContainsKey(k))
            {
                delete.AddRange(slices);
            }
        }

        // A placeholder when no slice would exist at all.
        if (existing.Count == delete.Count && create.Count == 0)
        {
            var placeholder = newSlice([]);
            var reuse = delete.FirstOrDefault(s => owned(s) && (s.Endpoints?.Count ?? 0) == 0 && (s.Ports?.Count ?? 0) == 0);
            if (reuse is not null)
            {
                delete.Remove(reuse);
                var copy = KubernetesSerialization.DeepCopy(reuse);
                if (fixMeta(copy))
                {
                    update.Add(copy);
                }
            }
            else
            {
                create.Add(placeholder);
            }
        }

        // Turn creations into updates of slices about to be deleted.
        for (var i = 0; i < delete.Count && create.Count > 0;)
        {
            var victim = delete[i];
            var slice = create[^1];
            if (victim.AddressType == slice.AddressType && owned(victim))
            {
                slice.Metadata.Name = victim.Metadata.Name;
                slice.Metadata.GenerateName = null;
                slice.Metadata.ResourceVersion = victim.Metadata.ResourceVersion;
                slice.Metadata.Uid = victim.Metadata.Uid;
                create.RemoveAt(create.Count - 1);
                update.Add(slice);
                delete.RemoveAt(i);
            }
            else
            {
                i++;
            }
        }

        return new Plan(create, update, delete);
    }

    private void ByPortMapping(
        Desired d,
        List<V1EndpointSlice> existing,
        Func<IList<Discoveryv1EndpointPort>, V1EndpointSlice> newSlice,
        Func<V1EndpointSlice, bool> fixMeta,
        List<V1EndpointSlice> create,
        List<V1EndpointSlice> update,
        List<V1EndpointSlice> delete)
    {
        // Desired endpoints by identity, in a stable order.
        var remaining = new SortedDictionary<string, V1Endpoint>(StringComparer.Ordinal);
        foreach (var e in d.Endpoints)
        {
            remaining[SliceKeys.Identity(e)] = e;
        }

        var toUpdate = new List<V1EndpointSlice>();
        var unchanged = new List<V1EndpointSlice>();

        // 1. Keep what existing slices already hold.
        foreach (var slice in existing)
        {
            var copy = KubernetesSerialization.DeepCopy(slice);
            var needsUpdate = fixMeta(copy);
            var kept = new List<V1Endpoint>();
            foreach (var e in slice.Endpoints ?? [])
            {
                var id = SliceKeys.Identity(e);
                if (remaining.Remove(id, out var want))
                {
                    if (SliceKeys.Content(want) != SliceKeys.Content(e))
                    {
                        needsUpdate = true;
                        kept.Add(want);
                    }
                    else
                    {
                        kept.Add(e);
                    }
                }
                else
                {
                    needsUpdate = true;
                }
            }

            copy.Endpoints = kept;
            if (kept.Count == 0)
            {
                delete.Add(slice);
            }
            else if (needsUpdate)
            {
                toUpdate.Add(copy);
            }
            else
            {
                unchanged.Add(copy);
            }
        }

        // 2. Fill the slices being updated anyway, fullest first.
        foreach (var slice in toUpdate.OrderByDescending(s => s.Endpoints.Count))
        {
            Fill(slice, remaining);
        }

        // 3. Fit the rest into one unchanged slice, else into new slices.
        while (remaining.Count > 0)
        {
            V1EndpointSlice? target = null;
            if (remaining.Count < MaxEndpointsPerSlice)
            {
                target = unchanged.Where(s => s.Endpoints.Count + remaining.Count <= MaxEndpointsPerSlice)
                    .OrderByDescending(s => s.Endpoints.Count).FirstOrDefault();
            }

            if (target is null)
            {
                target = newSlice(d.Ports);
                target.Endpoints = [];
                Fill(target, remaining);
                create.Add(target);
            }
            else
            {
                unchanged.Remove(target);
                Fill(target, remaining);
                toUpdate.Add(target);
            }
        }

        update.AddRange(toUpdate);
    }

    private void Fill(V1EndpointSlice slice, SortedDictionary<string, V1Endpoint> remaining)
    {
        while (remaining.Count > 0 && slice.Endpoints.Count < MaxEndpointsPerSlice)
        {
            var first = remaining.First();
            remaining.Remove(first.Key);
            slice.Endpoints.Add(first.Value);
        }
    }
}
