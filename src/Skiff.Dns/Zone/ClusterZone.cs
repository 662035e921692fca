using System.Collections.Concurrent;
using System.Net;
using ARSoft.Tools.Net;
using ARSoft.Tools.Net.Dns;
using k8s.Models;

namespace Skiff.Dns.Zone;

/// <summary>
/// The Kubernetes-backed zone (the Kubernetes DNS specification, as CoreDNS's <c>kubernetes</c> plugin serves it):
/// Services and EndpointSlices go in through <see cref="SetService"/>/<see cref="SetSlice"/> (the informers of
/// <see cref="ZoneSync"/>, or a test directly), and <see cref="Answer"/> answers one question. Writes only mark the
/// zone changed; the next query rebuilds one immutable <see cref="ZoneSnapshot"/> (all names, records and PTRs), so a
/// query is one dictionary lookup and many writes between queries cost one rebuild. Thread-safe.
/// </summary>
internal sealed class ClusterZone(ZoneSettings settings, TimeProvider? time = null)
{
    private readonly ConcurrentDictionary<string, V1Service> _services = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, V1EndpointSlice> _slices = new(StringComparer.Ordinal);
    private readonly Lock _build = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private volatile ZoneSnapshot? _snapshot;
    private long _changes;

    /// <summary>The zone's settings (domain, TTL).</summary>
    public ZoneSettings Settings => settings;

    /// <summary>Adds or replaces a Service.</summary>
    public void SetService(V1Service service)
    {
        _services[Key(service.Metadata)] = service;
        Changed();
    }

    /// <summary>Removes a Service.</summary>
    public void DeleteService(V1Service service)
    {
        _services.TryRemove(Key(service.Metadata), out _);
        Changed();
    }

    /// <summary>Adds or replaces an EndpointSlice.</summary>
    public void SetSlice(V1EndpointSlice slice)
    {
        _slices[Key(slice.Metadata)] = slice;
        Changed();
    }

    /// <summary>Removes an EndpointSlice.</summary>
    public void DeleteSlice(V1EndpointSlice slice)
    {
        _slices.TryRemove(Key(slice.Metadata), out _);
        Changed();
    }

    /// <summary>The current snapshot, rebuilt first when anything changed since the last one.</summary>
    public ZoneSnapshot Snapshot()
    {
        var current = _snapshot;
        var changes = Interlocked.Read(ref _changes);
        if (current is not null && current.Generation == changes)
        {
            return current;
        }

        lock (_build)
        {
            current = _snapshot;
            changes = Interlocked.Read(ref _changes);
            if (current is null || current.Generation != changes)
            {
                var serial = (uint)_time.GetUtcNow().ToUnixTimeSeconds();
                current = ZoneSnapshot.Build(settings, _services.Values, _slices.Values, changes, serial);
                _snapshot = current;
            }

            return current;
        }
    }

    /// <summary>Answers <paramref name="question"/> from the current snapshot.</summary>
    public ZoneAnswer Answer(DnsQuestion question) => Snapshot().Answer(question);

    private void Changed() => Interlocked.Increment(ref _changes);

    private static string Key(V1ObjectMeta m) => m.NamespaceProperty + "/" + m.Name;
}
