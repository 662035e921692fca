using k8s.Models;

namespace Skiff.Controllers.NodeLifecycle;

/// <summary>Zone states and tainting rates (upstream's <c>handleDisruption</c>, <c>ComputeZoneState</c>, <c>setLimiterInZone</c>).</summary>
internal sealed partial class NodeLifecycleController
{
    private async Task HandleDisruptionAsync(Dictionary<string, List<V1NodeCondition?>> zoneConditions, IReadOnlyList<V1Node> nodes, CancellationToken ct)
    {
        var newStates = new Dictionary<string, ZoneState>(StringComparer.Ordinal);
        var allAreFullyDisrupted = true;
        foreach (var (zone, conditions) in zoneConditions)
        {
            var state = ComputeZoneState(conditions);
            newStates[zone] = state;
            allAreFullyDisrupted &= state == ZoneState.FullDisruption;
            _zoneStates.TryAdd(zone, ZoneState.Initial);
        }

        var allWasFullyDisrupted = true;
        foreach (var zone in _zoneStates.Keys.ToList())
        {
            if (!zoneConditions.ContainsKey(zone))
            {
                _zoneStates.Remove(zone);
                _tainters.TryRemove(zone, out _);
                continue;
            }

            if (_zoneStates[zone] != ZoneState.FullDisruption)
            {
                allWasFullyDisrupted = false;
                break;
            }
        }

        if (allAreFullyDisrupted && allWasFullyDisrupted)
        {
            return;
        }

        if (allAreFullyDisrupted)
        {
            // Every node is not ready: most likely the control plane's own connectivity; evict nothing.
            LogMasterDisruption();
            foreach (var node in nodes)
            {
                await MarkNodeAsReachableAsync(node, ct).ConfigureAwait(false);
            }

            foreach (var zone in _zoneStates.Keys.ToList())
            {
                _tainters.GetOrAdd(zone, _ => new RateLimitedTimedQueue(Time, 0)).SwapLimiter(0);
                _zoneStates[zone] = ZoneState.FullDisruption;
            }

            return;
        }

        if (allWasFullyDisrupted)
        {
            // Leaving: every node gets a fresh grace period.
            var now = Time.GetUtcNow();
            foreach (var node in nodes)
            {
                if (_health.TryGetValue(node.Metadata.Name, out var h))
                {
                    _health[node.Metadata.Name] = h with { ProbeTimestamp = now, ReadyTransitionTimestamp = now };
                }
            }

            foreach (var zone in _zoneStates.Keys.ToList())
            {
                SetLimiter(zone, zoneConditions[zone].Count, newStates[zone]);
                _zoneStates[zone] = newStates[zone];
            }

            return;
        }

        foreach (var zone in _zoneStates.Keys.ToList())
        {
            if (_zoneStates[zone] != newStates[zone])
            {
                LogZoneState(zone, newStates[zone]);
                SetLimiter(zone, zoneConditions[zone].Count, newStates[zone]);
                _zoneStates[zone] = newStates[zone];
            }
        }
    }

    private ZoneState ComputeZoneState(List<V1NodeCondition?> conditions)
    {
        var ready = conditions.Count(c => c?.Status == "True");
        var notReady = conditions.Count - ready;
        if (ready == 0 && notReady > 0)
        {
            return ZoneState.FullDisruption;
        }

        return notReady > 2 && (double)notReady / (notReady + ready) >= _options.UnhealthyZoneThreshold
            ? ZoneState.PartialDisruption
            : ZoneState.Normal;
    }

    private void SetLimiter(string zone, int zoneSize, ZoneState state)
    {
        var qps = state switch
        {
            ZoneState.PartialDisruption => zoneSize > _options.LargeClusterSizeThreshold ? _options.SecondaryNodeEvictionRate : 0,
            _ => _options.NodeEvictionRate,
        };
        _tainters.GetOrAdd(zone, _ => new RateLimitedTimedQueue(Time, qps)).SwapLimiter(qps);
    }
}
