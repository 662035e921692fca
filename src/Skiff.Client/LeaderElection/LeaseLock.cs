using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Client.Typed;

namespace Skiff.Client.LeaderElection;

/// <summary>
/// An <see cref="IResourceLock"/> over a <c>coordination.k8s.io/v1</c> Lease (client-go <c>LeaseLock</c>). Updates
/// carry the resourceVersion that was read, so the API server rejects a write based on a stale read (409 Conflict).
/// </summary>
public sealed class LeaseLock : IResourceLock
{
    private readonly ResourceClient<V1Lease, V1LeaseList> _leases;
    private readonly string _name;
    private readonly string _namespace;

    public LeaseLock(Clientset clientset, string ns, string name, string identity)
    {
        _leases = clientset.CoordinationV1().Leases(ns);
        _namespace = ns;
        _name = name;
        Identity = identity;
    }

    public string Identity { get; }

    public string Description => $"{_namespace}/{_name}";

    public async Task<ObservedLock?> GetAsync(CancellationToken ct)
    {
        try
        {
            return ToObserved(await _leases.GetAsync(_name, ct: ct).ConfigureAwait(false));
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            return null;
        }
    }

    public async Task<ObservedLock> CreateAsync(LeaderElectionRecord record, CancellationToken ct)
        => ToObserved(await _leases.CreateAsync(new V1Lease { Metadata = new V1ObjectMeta { Name = _name, NamespaceProperty = _namespace }, Spec = ToSpec(record) }, ct: ct).ConfigureAwait(false));

    public async Task<ObservedLock> UpdateAsync(ObservedLock previous, LeaderElectionRecord record, CancellationToken ct)
    {
        var lease = new V1Lease
        {
            Metadata = new V1ObjectMeta { Name = _name, NamespaceProperty = _namespace, ResourceVersion = previous.ResourceVersion },
            Spec = ToSpec(record),
        };
        return ToObserved(await _leases.UpdateAsync(lease, ct: ct).ConfigureAwait(false));
    }

    private static V1LeaseSpec ToSpec(LeaderElectionRecord r) => new()
    {
        HolderIdentity = r.HolderIdentity,
        LeaseDurationSeconds = r.LeaseDurationSeconds,
        AcquireTime = r.AcquireTime,
        RenewTime = r.RenewTime,
        LeaseTransitions = r.LeaderTransitions,
    };

    private static ObservedLock ToObserved(V1Lease lease)
    {
        var s = lease.Spec ?? new V1LeaseSpec();
        return new ObservedLock(
            new LeaderElectionRecord(s.HolderIdentity ?? "", s.LeaseDurationSeconds ?? 0, s.AcquireTime, s.RenewTime, s.LeaseTransitions ?? 0),
            lease.Metadata.ResourceVersion);
    }
}
