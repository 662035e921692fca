using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Skiff.ApiServer.FlowControl;
using Skiff.ApiServer.Http;
using Xunit;

namespace Skiff.ApiServer.Tests.FlowControl;

/// <summary>Upstream 1.32's work-estimator cases (width_test.go, list_work_estimator_test.go) against our estimator.</summary>
public sealed class WorkEstimatorTests
{
    public static TheoryData<string, string, string, long?, int> ListCases => new()
    {
        // (method, path, query, stored object count, seats)
        { "GET", "/api/v1/namespaces/a/pods/p", "", 799, 1 },                                    // get
        { "GET", "/api/v1/pods", "", 799, 8 },                                                   // consistent list: watch cache, all objects
        { "GET", "/api/v1/pods", "limit=399&resourceVersion=1", 699, 8 },                        // legacy exact match: storage, 2 × limit
        { "GET", "/api/v1/pods", "limit=399", 699, 7 },                                          // resourceVersion unset: cache
        { "GET", "/api/v1/pods", "limit=399&continue=abc", 699, 8 },                             // continuation: storage
        { "GET", "/api/v1/pods", "limit=299&resourceVersion=0", 399, 4 },                        // resourceVersion 0: cache
        { "GET", "/api/v1/pods", "resourceVersion=0", 799, 8 },
        { "GET", "/api/v1/pods", "resourceVersion=foo&resourceVersionMatch=Exact&limit=399", 699, 8 },
        { "GET", "/api/v1/pods", "resourceVersion=foo&resourceVersionMatch=NotOlderThan", 799, 8 },
        { "GET", "/api/v1/pods", "limit=9999&resourceVersion=0", 1999, 10 },                     // capped at 10
        { "GET", "/api/v1/pods", "", null, 1 },                                                  // no count (aggregated, unknown)
        { "GET", "/api/v1/pods", "", 0, 1 },                                                     // never zero
        { "GET", "/api/v1/pods", "continue=abc&limit=100&labelSelector=a%3Db", 699, 8 },         // storage with a selector: count + limit
        { "GET", "/api/v1/pods", "fieldSelector=metadata.name%3Dp", 799, 1 },                    // one named object
        { "GET", "/api/v1/pods", "watch=true", 799, 1 },                                         // watch without initial events
        { "GET", "/api/v1/pods", "watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan", 799, 8 },
        { "GET", "/api/v1/namespaces/a/configmaps", "", 799, 8 },
        { "POST", "/api/v1/namespaces/a/pods", "", 799, 1 },                                     // write, no watches
    };

    [Theory]
    [MemberData(nameof(ListCases))]
    public void List_SeatsFromObjectCount(string method, string path, string query, long? count, int seats)
    {
        var estimator = new WorkEstimator((_, _) => count, new WatchTracker(), _ => 0);
        var work = estimator.Estimate(Info(method, path, query), Query(query), "global-default");
        Assert.Equal(seats, work.MaxSeats);
    }

    [Fact]
    public void List_CappedByTheLevelsMaxSeats()
    {
        var estimator = new WorkEstimator((_, _) => 799, new WatchTracker(), pl => pl == "small" ? 3 : 0);
        Assert.Equal(3, estimator.Estimate(Info("GET", "/api/v1/pods", ""), Query(""), "small").MaxSeats);
        Assert.Equal(8, estimator.Estimate(Info("GET", "/api/v1/pods", ""), Query(""), "other").MaxSeats);
    }

    [Fact]
    public void Write_FinalSeatsFromInterestedWatches()
    {
        var watches = new WatchTracker();
        var estimator = new WorkEstimator((_, _) => null, watches, _ => 0);
        var create = Info("POST", "/api/v1/namespaces/a/configmaps", "");
        var registrations = new List<IDisposable>();
        for (var i = 0; i < 9; i++)
        {
            registrations.Add(watches.Register(Info("GET", "/api/v1/namespaces/a/configmaps", "watch=true")));
        }

        // Nine watches: below one seat's worth, no final phase.
        Assert.Equal(new WorkEstimate(1), estimator.Estimate(create, Query(""), "global-default"));

        // 25 interested (all-namespace, namespace and other-namespace watches; only the first two count): 3 final seats for 5 ms.
        for (var i = 0; i < 16; i++)
        {
            registrations.Add(watches.Register(Info("GET", "/api/v1/configmaps", "watch=true")));
        }

        registrations.Add(watches.Register(Info("GET", "/api/v1/namespaces/b/configmaps", "watch=true")));
        Assert.Equal(new WorkEstimate(1, 3, TimeSpan.FromMilliseconds(5)), estimator.Estimate(create, Query(""), "global-default"));

        // 205: 21 seats capped at 10, the latency stretched to keep the seat-seconds (21 × 5 ms / 10).
        for (var i = 0; i < 180; i++)
        {
            registrations.Add(watches.Register(Info("GET", "/api/v1/configmaps", "watch=true")));
        }

        Assert.Equal(new WorkEstimate(1, 10, TimeSpan.FromMilliseconds(10.5)), estimator.Estimate(create, Query(""), "global-default"));

        // Token requests make no events; reads never count watches.
        Assert.Equal(new WorkEstimate(1), estimator.Estimate(Info("POST", "/api/v1/namespaces/a/serviceaccounts/default/token", ""), Query(""), "global-default"));
        Assert.Equal(0, watches.InterestedWatchCount(Info("GET", "/api/v1/namespaces/a/configmaps", "")));

        foreach (var r in registrations)
        {
            r.Dispose();
        }

        Assert.Equal(0, watches.InterestedWatchCount(create));
    }

    private static RequestInfo Info(string method, string path, string query) => RequestInfo.Parse(method, path, query.Contains("watch=true", StringComparison.Ordinal));

    private static QueryCollection Query(string query) => new(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query));
}
