using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Http;

namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Upstream 1.32's work estimator (<c>util/flowcontrol/request/width.go</c>, <c>list_work_estimator.go</c>,
/// <c>mutating_work_estimator.go</c>, <c>config.go</c>). A LIST (and a WATCH that asks for initial events) costs one
/// seat per <see cref="ObjectsPerSeat"/> objects it processes, estimated from the resource's stored object count: all
/// of them when served from the watch cache, the stored count plus the limit with a selector from storage, twice the
/// limit otherwise; one for a single named object, the minimum for a resource with no count (aggregated, unknown),
/// clamped to [<see cref="MinimumSeats"/>, min(<see cref="MaximumSeats"/>, the level's max seats)]. A write with at
/// least <see cref="WatchesPerSeat"/> interested watches keeps ceil(watches / 10) final seats (capped like a LIST,
/// the latency stretched to keep the seat-seconds) for 5 ms per seat after it finished. Everything else is one seat.
/// </summary>
public sealed class WorkEstimator(Func<string, string, long?> objectCount, WatchTracker watches, Func<string, int> maxSeats)
{
    /// <summary>The fewest seats a request occupies.</summary>
    public const int MinimumSeats = 1;

    /// <summary>The most seats a request occupies (upstream's <c>maximumSeatsLimit</c>).</summary>
    public const int MaximumSeats = 10;

    /// <summary>Objects a LIST processes per seat.</summary>
    public const double ObjectsPerSeat = 100;

    /// <summary>Interested watches per final seat of a write.</summary>
    public const double WatchesPerSeat = 10;

    /// <summary>The additional latency per final seat of a write (upstream's <c>eventAdditionalDuration</c>).</summary>
    public static readonly TimeSpan EventAdditionalDuration = TimeSpan.FromMilliseconds(5);

    /// <summary>The estimate for <paramref name="request"/> (with query <paramref name="query"/>) in <paramref name="priorityLevel"/>.</summary>
    public WorkEstimate Estimate(RequestInfo request, IQueryCollection query, string priorityLevel)
    {
        if (!request.IsResourceRequest)
        {
            return WorkEstimate.One;
        }

        return request.Verb switch
        {
            "list" or "watch" => EstimateList(request, query, priorityLevel),
            "create" or "update" or "patch" or "delete" => EstimateMutating(request, priorityLevel),
            _ => WorkEstimate.One,
        };
    }

    /// <summary>Upstream's <c>shouldListFromStorage</c> with ConsistentListFromCache on: whether the LIST bypasses the watch cache.</summary>
    public static bool ListsFromStorage(IQueryCollection query)
    {
        var rv = QueryParameters.First(query, "resourceVersion") ?? "";
        var match = QueryParameters.First(query, "resourceVersionMatch") ?? "";
        _ = long.TryParse(QueryParameters.First(query, "limit"), out var limit);
        switch (match)
        {
            case "Exact":
                return true;
            case "NotOlderThan":
                break;
            case "":
                if (limit > 0 && rv.Length > 0 && rv != "0")
                {
                    return true;
                }

                break;
            default:
                return true;
        }

        return (QueryParameters.First(query, "continue") ?? "").Length > 0;
    }

    private int MaxSeatsFor(string priorityLevel)
    {
        var max = maxSeats(priorityLevel);
        return max is 0 or > MaximumSeats ? MaximumSeats : max;
    }

    private WorkEstimate EstimateList(RequestInfo request, IQueryCollection query, string priorityLevel)
    {
        var max = MaxSeatsFor(priorityLevel);
        var fieldSelector = QueryParameters.First(query, "fieldSelector") ?? "";
        if (request.Name.Length > 0 || NamesOne(fieldSelector))
        {
            return new WorkEstimate(MinimumSeats);
        }

        if (request.Verb == "watch" && QueryParameters.OptionalBool(query, "sendInitialEvents") != true)
        {
            return new WorkEstimate(MinimumSeats);
        }

        var fromCache = request.Verb == "watch" || !ListsFromStorage(query);
        if (objectCount(request.Group, request.Resource) is not { } stored)
        {
            return new WorkEstimate(MinimumSeats);
        }

        _ = long.TryParse(QueryParameters.First(query, "limit"), out var limitParam);
        var limit = limitParam > 0 && limitParam < stored ? limitParam : stored;
        var selector = fieldSelector.Length > 0 || (QueryParameters.First(query, "labelSelector") ?? "").Length > 0;
        var processed = fromCache ? stored : selector ? stored + limit : 2 * limit;
        var seats = (long)Math.Ceiling(processed / ObjectsPerSeat);
        return new WorkEstimate((int)Math.Clamp(seats, MinimumSeats, max));
    }

    private WorkEstimate EstimateMutating(RequestInfo request, string priorityLevel)
    {
        if (request.Resource == "serviceaccounts" && request.Subresource == "token")
        {
            return new WorkEstimate(MinimumSeats);
        }

        var count = watches.InterestedWatchCount(request);
        if (count < WatchesPerSeat)
        {
            return new WorkEstimate(1);
        }

        var finalSeats = (int)Math.Ceiling(count / WatchesPerSeat);
        var work = finalSeats * EventAdditionalDuration.Ticks;
        finalSeats = Math.Min(finalSeats, MaxSeatsFor(priorityLevel));
        return new WorkEstimate(1, finalSeats, TimeSpan.FromTicks(work / finalSeats));
    }

    /// <summary>Upstream's RequestInfo takes the name of a LIST/WATCH from a <c>metadata.name=</c> field selector.</summary>
    private static bool NamesOne(string fieldSelector)
    {
        foreach (var part in fieldSelector.Split(','))
        {
            var p = part.Trim();
            if (p.StartsWith("metadata.name=", StringComparison.Ordinal) && !p.StartsWith("metadata.name!=", StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
