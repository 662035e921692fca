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
/// priority level are skipped; nothing matching falls to <c>catch-all</c>), then lets it through at once (Exempt
/// level), or when its Limited level has a free seat, or after queuing fairly (<see cref="QueueSet"/>); otherwise
/// answers 429 with <c>Retry-After</c> and upstream's text. Long-running requests (watch, proxy, attach, exec, log,
/// portforward) are not limited. Every classified response carries <c>X-Kubernetes-PF-FlowSchema-UID</c> and
/// <c>X-Kubernetes-PF-PriorityLevel-UID</c>. Configuration comes in through <see cref="Apply"/>.
/// </summary>
public sealed class FlowController
{
    /// <summary>Upstream's 429 body (<c>http.Error</c> text).</summary>
    public const string TooManyRequestsMessage = "Too many requests, please try again later.";

    private static readonly string[] LongRunningSubresources = ["attach", "exec", "proxy", "log", "portforward"];

    private readonly FlowControlSettings _settings;
    private readonly FlowControlMetrics _metrics;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Level> _levels = new(StringComparer.Ordinal);
    private volatile Snapshot _snapshot = new([], new Dictionary<string, Level>(StringComparer.Ordinal));

    /// <summary>Creates the controller with the bootstrap configuration applied.</summary>
    public FlowController(FlowControlSettings settings, FlowControlMetrics metrics)
    {
        _settings = settings;
        _metrics = metrics;
        Apply(
            [.. FlowControlBootstrap.MandatoryFlowSchemas(), .. FlowControlBootstrap.SuggestedFlowSchemas()],
            [.. FlowControlBootstrap.MandatoryPriorityLevels(), .. FlowControlBootstrap.SuggestedPriorityLevels()]);
    }

    /// <summary>The concurrency limit (seats) of each Limited level now, by name.</summary>
    public IReadOnlyDictionary<string, int> ConcurrencyLimits =>
        _snapshot.Levels.Values.Where(l => l.Set is not null).ToDictionary(l => l.Name, l => l.Set!.ConcurrencyLimit, StringComparer.Ordinal);

    /// <summary>Whether upstream treats the request as long-running (not limited).</summary>
    public static bool IsLongRunning(RequestInfo request) =>
        request.Verb is "watch" or "proxy" || (request.IsResourceRequest && LongRunningSubresources.Contains(request.Subresource));

    /// <summary>
    /// Replaces the configuration: every FlowSchema and PriorityLevelConfiguration object (defaulted v1 JSON). The
    /// mandatory objects are added from the bootstrap when missing. Levels that stay keep their queues and waiting
    /// requests; limits are recomputed from the nominal concurrency shares.
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
            foreach (var (name, pl) in pls)
            {
                var exempt = JsonPath.Str(pl, "spec", "type") == "Exempt";
                var uid = JsonPath.Str(pl, "metadata", "uid") ?? "";
                var limit = exempt ? 0 : Math.Max(1, (int)Math.Ceiling(serverCl * Shares(pl) / Math.Max(sum, 1)));
                var queuing = JsonPath.Obj(pl, "spec", "limited", "limitResponse", "queuing");
                var queues = JsonPath.Str(pl, "spec", "limited", "limitResponse", "type") == "Queue" && queuing is not null ? (int)(JsonPath.Long(queuing, "queues") ?? 64) : 0;
                var handSize = (int)(JsonPath.Long(queuing, "handSize") ?? 8);
                var queueLength = (int)(JsonPath.Long(queuing, "queueLengthLimit") ?? 50);
                if (!_levels.TryGetValue(name, out var level) || level.Exempt != exempt)
                {
                    level = new Level(name, exempt, exempt ? null : new QueueSet(limit, queues, handSize, queueLength));
                    _levels[name] = level;
                }
                else
                {
                    level.Set?.Reconfigure(limit, queues, handSize, queueLength);
                }

                level.Uid = uid;
                current[name] = level;
                _metrics.NominalLimit(name, limit);
            }

            foreach (var gone in _levels.Keys.Where(k => !current.ContainsKey(k)).ToList())
            {
                _levels.Remove(gone);
            }

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
    /// Classifies and waits for a seat. Returns the admission (dispose it when the request is done): admitted, or
    /// rejected with the 429 already written. Long-running requests are admitted without a seat.
    /// </summary>
    public async ValueTask<FlowAdmission> AdmitAsync(HttpContext ctx, RequestInfo request, UserInfo? user, CancellationToken ct)
    {
        if (IsLongRunning(request))
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
        if (c.Exempt || level?.Set is null)
        {
            _metrics.Executing(c.FlowSchema, c.PriorityLevel, 1);
            return new FlowAdmission(true, null, () => _metrics.Executing(c.FlowSchema, c.PriorityLevel, -1));
        }

        var started = Stopwatch.GetTimestamp();
        _metrics.InQueue(c.FlowSchema, c.PriorityLevel, 1);
        (QueueSet.Seat? Seat, QueueSet.Rejection Reason) result;
        try
        {
            result = await level.Set.AcquireAsync(c.FlowHash, _settings.QueueWaitLimit, ct).ConfigureAwait(false);
        }
        finally
        {
            _metrics.InQueue(c.FlowSchema, c.PriorityLevel, -1);
        }

        _metrics.Waited(c.FlowSchema, c.PriorityLevel, result.Seat is not null, Stopwatch.GetElapsedTime(started));
        if (result.Seat is { } seat)
        {
            _metrics.Executing(c.FlowSchema, c.PriorityLevel, 1);
            return new FlowAdmission(true, seat, () => _metrics.Executing(c.FlowSchema, c.PriorityLevel, -1));
        }

        _metrics.Rejected(c.FlowSchema, c.PriorityLevel, result.Reason switch
        {
            QueueSet.Rejection.QueueFull => "queue-full",
            QueueSet.Rejection.TimeOut => "time-out",
            QueueSet.Rejection.Cancelled => "cancelled",
            _ => "concurrency-limit",
        });
        ct.ThrowIfCancellationRequested();
        await WriteTooManyRequestsAsync(ctx, ct).ConfigureAwait(false);
        return FlowAdmission.Rejected;
    }

    /// <summary>Upstream's <c>tooManyRequests</c>: 429, <c>Retry-After: 1</c>, the text body of <c>http.Error</c>.</summary>
    public static async Task WriteTooManyRequestsAsync(HttpContext ctx, CancellationToken ct)
    {
        if (ctx.Response.HasStarted)
        {
            return;
        }

        ctx.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        ctx.Response.Headers.RetryAfter = 1.ToString(CultureInfo.InvariantCulture);
        ctx.Response.Headers.XContentTypeOptions = "nosniff";
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync(TooManyRequestsMessage + "\n", ct).ConfigureAwait(false);
    }

    private static double Shares(JsonObject pl) =>
        JsonPath.Long(pl, "spec", "limited", "nominalConcurrencyShares") ?? JsonPath.Long(pl, "spec", "exempt", "nominalConcurrencyShares") ?? 0;

    private sealed record Snapshot(IReadOnlyList<JsonObject> Schemas, IReadOnlyDictionary<string, Level> Levels);

    private sealed class Level(string name, bool exempt, QueueSet? set)
    {
        public string Name { get; } = name;

        public bool Exempt { get; } = exempt;

        public QueueSet? Set { get; } = set;

        public string Uid { get; set; } = "";
    }
}
