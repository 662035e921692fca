using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Security;

namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// API Priority and Fairness (upstream <c>WithPriorityAndFairness</c> and <c>apf_controller</c>): classifies each
/// authenticated request by the FlowSchemas (lowest matchingPrecedence, then name, first; schemas naming a missing
/// priority level are skipped; nothing matching falls to <c>catch-all</c>), estimates its seats
/// (<see cref="WorkEstimator"/>), then lets it through at once (Exempt level), or when its Limited level has room for
/// its seats, or after queuing fairly (<see cref="QueueSet"/>); otherwise answers 429 with upstream's text and the
/// level's <c>Retry-After</c> (<see cref="DroppedRequestsTracker"/>). A WATCH holds its seats only until it has
/// initialised (<see cref="FlowAdmission.WatchInitialized"/>); the other long-running requests (proxy, attach, exec,
/// log, portforward) are not limited. Every classified response carries <c>X-Kubernetes-PF-FlowSchema-UID</c> and
/// <c>X-Kubernetes-PF-PriorityLevel-UID</c>. Configuration comes in through <see cref="Apply"/>; the levels' current
/// limits move with their seat demand every <see cref="BorrowingPeriod"/> (<see cref="UpdateBorrowing"/>).
/// </summary>
public sealed partial class FlowController
{
    /// <summary>Upstream's 429 body (<c>http.Error</c> text).</summary>
    public const string TooManyRequestsMessage = "Too many requests, please try again later.";

    private static readonly string[] LongRunningSubresources = ["attach", "exec", "proxy", "log", "portforward"];

    private readonly FlowControlSettings _settings;
    private readonly FlowControlMetrics _metrics;
    private readonly TimeProvider _clock;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Level> _levels = new(StringComparer.Ordinal);
    private volatile Snapshot _snapshot = new([], new Dictionary<string, Level>(StringComparer.Ordinal));
    private int _nominalSum;

    /// <summary>Creates the controller with the bootstrap configuration applied.</summary>
    public FlowController(FlowControlSettings settings, FlowControlMetrics metrics, TimeProvider? clock = null)
    {
        _settings = settings;
        _metrics = metrics;
        _clock = clock ?? TimeProvider.System;
        Dropped = new DroppedRequestsTracker(_clock);
        Estimator = new WorkEstimator(ObjectCounts.Get, Watches, MaxSeats);
        Apply(
            [.. FlowControlBootstrap.MandatoryFlowSchemas(), .. FlowControlBootstrap.SuggestedFlowSchemas()],
            [.. FlowControlBootstrap.MandatoryPriorityLevels(), .. FlowControlBootstrap.SuggestedPriorityLevels()]);
    }

    /// <summary>The open watches, for the write estimate.</summary>
    public WatchTracker Watches { get; } = new();

    /// <summary>The stored object counts, for the LIST estimate.</summary>
    public ObjectCountTracker ObjectCounts { get; } = new();

    /// <summary>The dropped requests per level, for Retry-After.</summary>
    public DroppedRequestsTracker Dropped { get; }

    /// <summary>The work estimator.</summary>
    public WorkEstimator Estimator { get; }

    /// <summary>The nominal concurrency limit (seats) of each Limited level, by name.</summary>
    public IReadOnlyDictionary<string, int> ConcurrencyLimits =>
        _snapshot.Levels.Values.Where(l => l.Set is not null).ToDictionary(l => l.Name, l => l.NominalCL, StringComparer.Ordinal);

    /// <summary>The current (borrowing-adjusted) concurrency limit of each Limited level, by name.</summary>
    public IReadOnlyDictionary<string, int> CurrentLimits =>
        _snapshot.Levels.Values.Where(l => l.Set is not null).ToDictionary(l => l.Name, l => l.Set!.ConcurrencyLimit, StringComparer.Ordinal);

    /// <summary>Whether upstream treats the request as long-running (a WATCH is limited until it has initialised).</summary>
    public static bool IsLongRunning(RequestInfo request) =>
        request.Verb is "watch" or "proxy" || (request.IsResourceRequest && LongRunningSubresources.Contains(request.Subresource));

    /// <summary>The most seats one request of <paramref name="priorityLevel"/> may take (0: no level limit, the estimator's cap applies).</summary>
    public int MaxSeats(string priorityLevel) => _snapshot.Levels.GetValueOrDefault(priorityLevel)?.MaxSeats ?? 0;

    /// <summary>
    /// Replaces the configuration: every FlowSchema and PriorityLevelConfiguration object (defaulted v1 JSON). The
    /// mandatory objects are added from the bootstrap when missing. Levels that stay keep their queues, waiting requests
    /// and seat-demand statistics; nominal, lendable and borrowing limits are recomputed from the shares and percents
    /// (upstream's <c>finishQueueSetReconfigsLocked</c>), then the current limits.
    /// </summary>
    public void Apply(IReadOnlyCollection<JsonObject> flowSchemas, IReadOnlyCollection<JsonObject> priorityLevels)
    {
        var pls = priorityLevels.ToDictionary(JsonPath.Name, StringComparer.Ordinal);
        foreach (var mandatory in FlowControlBootstrap.MandatoryPriorityLevels())
        {
            pls.TryAdd(JsonPath.Name(mandatory), mandatory);
        }

        var fss = flowSchemas.ToDictionary(JsonPath.Name, StringComparer.Ordinal);
        foreach (var mandatory in FlowControlBootstrap.MandatoryFlowSchemas())
        {
            fss.TryAdd(JsonPath.Name(mandatory), mandatory);
        }

        double sum = pls.Values.Sum(Shares);
        var serverCl = _settings.ServerConcurrencyLimit;
        lock (_lock)
        {
            var current = new Dictionary<string, Level>(StringComparer.Ordinal);
            var nominalSum = 0;
            foreach (var (name, pl) in pls)
            {
                var exempt = JsonPath.Str(pl, "spec", "type") == "Exempt";
                var uid = JsonPath.Str(pl, "metadata", "uid") ?? "";
                var nominal = (int)Math.Ceiling(serverCl * Shares(pl) / Math.Max(sum, 1));
                var kind = exempt ? "exempt" : "limited";
                var lendable = JsonPath.Long(pl, "spec", kind, "lendablePercent") is { } lp ? RoundAway(nominal * lp / 100.0) : 0;
                var borrowing = JsonPath.Long(pl, "spec", kind, "borrowingLimitPercent") is { } bp ? RoundAway(nominal * bp / 100.0) : serverCl;
                var queuing = JsonPath.Obj(pl, "spec", "limited", "limitResponse", "queuing");
                var queues = JsonPath.Str(pl, "spec", "limited", "limitResponse", "type") == "Queue" && queuing is not null ? (int)(JsonPath.Long(queuing, "queues") ?? 64) : 0;
                var handSize = (int)(JsonPath.Long(queuing, "handSize") ?? 8);
                var queueLength = (int)(JsonPath.Long(queuing, "queueLengthLimit") ?? 50);
                if (!_levels.TryGetValue(name, out var level) || level.Exempt != exempt)
                {
                    var demand = new SeatDemandIntegrator(_clock);
                    var initial = nominal - (lendable / 2);
                    level = new Level(name, exempt, demand, exempt ? null : new QueueSet(Math.Max(initial, 0), queues, handSize, queueLength, demand, _clock))
                    {
                        CurrentCL = initial,
                    };
                    _levels[name] = level;
                }
                else
                {
                    level.Set?.Reconfigure(level.Set.ConcurrencyLimit, queues, handSize, queueLength);
                }

                level.Uid = uid;
                level.NominalCL = nominal;
                level.MinCL = nominal - lendable;
                level.MaxCL = nominal + borrowing;

                // Upstream: max(1, min(ceil(0.15 × nominal), nominal / handSize)) for queuing levels; none otherwise.
                level.MaxSeats = queues > 0 ? Math.Max(1, Math.Min((int)Math.Ceiling(nominal * MaxSeatsFraction), nominal / Math.Max(handSize, 1))) : 0;
                nominalSum += nominal;
                current[name] = level;
                _metrics.Limits(name, nominal, level.MinCL, level.MaxCL);
            }

            foreach (var gone in _levels.Keys.Where(k => !current.ContainsKey(k)).ToList())
            {
                _levels.Remove(gone);
            }

            _nominalSum = nominalSum;
            UpdateBorrowingLocked();
            var schemas = fss.Values
                .Where(fs => current.ContainsKey(JsonPath.Str(fs, "spec", "priorityLevelConfiguration", "name") ?? ""))
                .OrderBy(fs => JsonPath.Long(fs, "spec", "matchingPrecedence") ?? 1000)
                .ThenBy(JsonPath.Name, StringComparer.Ordinal)
                .ToList();
            _snapshot = new Snapshot(schemas, current);
        }
    }

    /// <summary>The FlowSchema and priority level <paramref name="user"/>'s <paramref name="request"/> falls in.</summary>
    public FlowClassification Classify(RequestInfo request, UserInfo user)
    {
        var snapshot = _snapshot;
        var fs = snapshot.Schemas.FirstOrDefault(s => FlowSchemaMatcher.Matches(s, user, request))
            ?? snapshot.Schemas.FirstOrDefault(s => JsonPath.Name(s) == "catch-all")
            ?? FlowControlBootstrap.MandatoryFlowSchemas()[1];
        var plName = JsonPath.Str(fs, "spec", "priorityLevelConfiguration", "name") ?? "catch-all";
        var level = snapshot.Levels.GetValueOrDefault(plName) ?? snapshot.Levels["catch-all"];
        return new FlowClassification(JsonPath.Name(fs), JsonPath.Str(fs, "metadata", "uid") ?? "", level.Name, level.Uid,
            FlowSchemaMatcher.Distinguisher(fs, user, request), level.Exempt);
    }

    /// <summary>
    /// Classifies, estimates and waits for the request's seats. Returns the admission (dispose it when the request is
    /// done): admitted, or rejected with the 429 already written. Long-running requests other than WATCH are admitted
    /// without seats; a WATCH frees its seats when it signals <see cref="FlowAdmission.WatchInitialized"/>.
    /// </summary>
    public async ValueTask<FlowAdmission> AdmitAsync(HttpContext ctx, RequestInfo request, UserInfo? user, CancellationToken ct)
    {
        var watch = request.Verb == "watch";
        if (IsLongRunning(request) && !watch)
        {
            return FlowAdmission.Unlimited;
        }

        user ??= new UserInfo("system:anonymous", null, ["system:unauthenticated"]);
        var c = Classify(request, user);
        if (c.FlowSchemaUid.Length > 0)
        {
            ctx.Response.Headers["X-Kubernetes-PF-FlowSchema-UID"] = c.FlowSchemaUid;
        }

        if (c.PriorityLevelUid.Length > 0)
        {
            ctx.Response.Headers["X-Kubernetes-PF-PriorityLevel-UID"] = c.PriorityLevelUid;
        }

        var level = _snapshot.Levels.GetValueOrDefault(c.PriorityLevel);
        var work = _settings.EstimateWork ? Estimator.Estimate(request, ctx.Request.Query, c.PriorityLevel) : WorkEstimate.One;
        var seats = Math.Max(1, work.MaxSeats);
        _metrics.Estimated(c.FlowSchema, c.PriorityLevel, seats);
        FlowAdmission admission;
        if (c.Exempt || level?.Set is null)
        {
            level?.Demand.Add(seats);
            _metrics.Executing(c.FlowSchema, c.PriorityLevel, 1, seats);
            admission = new FlowAdmission(true, () =>
            {
                level?.Demand.Add(-seats);
                _metrics.Executing(c.FlowSchema, c.PriorityLevel, -1, -seats);
            });
        }
        else
        {
            var started = Stopwatch.GetTimestamp();
            _metrics.InQueue(c.FlowSchema, c.PriorityLevel, 1);
            (QueueSet.Seat? Seat, QueueSet.Rejection Reason) result;
            try
            {
                result = await level.Set.AcquireAsync(c.FlowHash, work, _settings.QueueWaitLimit, ct).ConfigureAwait(false);
            }
            finally
            {
                _metrics.InQueue(c.FlowSchema, c.PriorityLevel, -1);
            }

            _metrics.Waited(c.FlowSchema, c.PriorityLevel, result.Seat is not null, Stopwatch.GetElapsedTime(started));
            if (result.Seat is not { } seat)
            {
                _metrics.Rejected(c.FlowSchema, c.PriorityLevel, result.Reason switch
                {
                    QueueSet.Rejection.QueueFull => "queue-full",
                    QueueSet.Rejection.TimeOut => "time-out",
                    QueueSet.Rejection.Cancelled => "cancelled",
                    _ => "concurrency-limit",
                });
                ct.ThrowIfCancellationRequested();
                Dropped.RecordDropped(c.PriorityLevel);
                await WriteTooManyRequestsAsync(ctx, Dropped.RetryAfter(c.PriorityLevel), ct).ConfigureAwait(false);
                return FlowAdmission.Rejected;
            }

            _metrics.Executing(c.FlowSchema, c.PriorityLevel, 1, seats);
            admission = new FlowAdmission(true, () =>
            {
                seat.Dispose();
                _metrics.Executing(c.FlowSchema, c.PriorityLevel, -1, -seats);
            });
        }

        if (watch)
        {
            admission.Watch = Watches.Register(request);
            ctx.Items[FlowAdmission.ItemKey] = admission;
        }

        return admission;
    }

    /// <summary>Upstream's <c>tooManyRequests</c>: 429, <c>Retry-After</c>, the text body of <c>http.Error</c>.</summary>
    public static async Task WriteTooManyRequestsAsync(HttpContext ctx, long retryAfter, CancellationToken ct)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }

        ctx.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        ctx.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        ctx.Response.Headers.XContentTypeOptions = "nosniff";
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync(TooManyRequestsMessage + "\n", ct).ConfigureAwait(false);
    }

    private static double Shares(JsonObject pl) =>
        JsonPath.Long(pl, "spec", "limited", "nominalConcurrencyShares") ?? JsonPath.Long(pl, "spec", "exempt", "nominalConcurrencyShares") ?? 0;

    /// <summary>Go's <c>math.Round</c> (halves away from zero).</summary>
    private static int RoundAway(double x) => (int)Math.Round(x, MidpointRounding.AwayFromZero);

    private sealed record Snapshot(IReadOnlyList<JsonObject> Schemas, IReadOnlyDictionary<string, Level> Levels);
}
