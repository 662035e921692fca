using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// The pod printer of upstream's <c>printPod</c>: READY counts ready containers (and started restartable init
/// containers), STATUS follows upstream's precedence (status.reason, SchedulingGated, init container states,
/// container waiting/terminated reasons, Terminating), RESTARTS adds "(5m ago)" from the last termination.
/// </summary>
public static class PodPrinter
{
    /// <summary>The pod table (server-side printing always includes the wide columns).</summary>
    public static TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Ready", "The aggregate readiness state of this pod for accepting traffic."),
            Columns.S("Status", "The aggregate status of the containers in this pod."),
            Columns.S("Restarts", "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
            Columns.Age,
            Columns.S("IP", "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.", 1),
            Columns.S("Node", "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for preemption by the scheduler.", 1),
            Columns.S("Nominated Node", "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.", 1),
            Columns.S("Readiness Gates", "If specified, all readiness gates will be evaluated for pod readiness.", 1),
        ],
        Cells);

    /// <summary>The cells of one pod.</summary>
    public static IReadOnlyList<object?> Cells(JsonObject pod, DateTimeOffset now)
    {
        var spec = JsonPath.Obj(pod, "spec");
        var status = JsonPath.Obj(pod, "status");
        long restarts = 0;
        long restartableInitRestarts = 0;
        var totalContainers = JsonPath.Arr(spec, "containers")?.Count ?? 0;
        var readyContainers = 0;
        DateTimeOffset? lastRestart = null;
        DateTimeOffset? lastRestartableInitRestart = null;

        var phase = JsonPath.Str(status, "phase") ?? "";
        var reason = JsonPath.Str(status, "reason") is { Length: > 0 } r ? r : phase;
        foreach (var cond in JsonPath.Objects(status, "conditions"))
        {
            if (JsonPath.Str(cond, "type") == "PodScheduled" && JsonPath.Str(cond, "reason") == "SchedulingGated")
            {
                reason = "SchedulingGated";
            }
        }

        var initSpecs = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var initCount = 0;
        foreach (var ic in JsonPath.Objects(spec, "initContainers"))
        {
            initCount++;
            initSpecs[JsonPath.Str(ic, "name") ?? ""] = ic;
            if (IsRestartable(ic))
            {
                totalContainers++;
            }
        }

        var initializing = false;
        var index = 0;
        foreach (var cs in JsonPath.Objects(status, "initContainerStatuses"))
        {
            var i = index++;
            restarts += Cells_Int(cs, "restartCount");
            var finished = LastTermination(cs);
            if (finished > lastRestart || (lastRestart is null && finished is not null))
            {
                lastRestart = finished;
            }

            var restartable = initSpecs.TryGetValue(JsonPath.Str(cs, "name") ?? "", out var icSpec) && IsRestartable(icSpec);
            if (restartable)
            {
                restartableInitRestarts += Cells_Int(cs, "restartCount");
                if (finished > lastRestartableInitRestart || (lastRestartableInitRestart is null && finished is not null))
                {
                    lastRestartableInitRestart = finished;
                }
            }

            var terminated = JsonPath.Obj(cs, "state", "terminated");
            var waiting = JsonPath.Obj(cs, "state", "waiting");
            if (terminated is not null && Cells_Int(terminated, "exitCode") == 0)
            {
                continue;
            }

            if (restartable && JsonPath.Bool(cs, "started") == true)
            {
                if (JsonPath.Bool(cs, "ready") == true)
                {
                    readyContainers++;
                }

                continue;
            }

            if (terminated is not null)
            {
                reason = JsonPath.Str(terminated, "reason") is { Length: > 0 } tr
                    ? "Init:" + tr
                    : Cells_Int(terminated, "signal") != 0
                        ? $"Init:Signal:{Cells_Int(terminated, "signal")}"
                        : $"Init:ExitCode:{Cells_Int(terminated, "exitCode")}";
            }
            else if (waiting is not null && JsonPath.Str(waiting, "reason") is { Length: > 0 } wr && wr != "PodInitializing")
            {
                reason = "Init:" + wr;
            }
            else
            {
                reason = $"Init:{i}/{initCount}";
            }

            initializing = true;
            break;
        }

        if (!initializing || HasCondition(status, "Initialized"))
        {
            restarts = restartableInitRestarts;
            lastRestart = lastRestartableInitRestart;
            var hasRunning = false;
            var statuses = JsonPath.Objects(status, "containerStatuses").ToList();
            for (var i = statuses.Count - 1; i >= 0; i--)
            {
                var cs = statuses[i];
                restarts += Cells_Int(cs, "restartCount");
                var finished = LastTermination(cs);
                if (finished > lastRestart || (lastRestart is null && finished is not null))
                {
                    lastRestart = finished;
                }

                var waiting = JsonPath.Obj(cs, "state", "waiting");
                var terminated = JsonPath.Obj(cs, "state", "terminated");
                if (waiting is not null && JsonPath.Str(waiting, "reason") is { Length: > 0 } wr)
                {
                    reason = wr;
                }
                else if (terminated is not null && JsonPath.Str(terminated, "reason") is { Length: > 0 } tr)
                {
                    reason = tr;
                }
                else if (terminated is not null)
                {
                    reason = Cells_Int(terminated, "signal") != 0
                        ? $"Signal:{Cells_Int(terminated, "signal")}"
                        : $"ExitCode:{Cells_Int(terminated, "exitCode")}";
                }
                else if (JsonPath.Bool(cs, "ready") == true && JsonPath.Obj(cs, "state", "running") is not null)
                {
                    hasRunning = true;
                    readyContainers++;
                }
            }

            if (reason == "Completed" && hasRunning)
            {
                reason = HasCondition(status, "Ready") ? "Running" : "NotReady";
            }
        }

        var deleting = JsonPath.Str(pod, "metadata", "deletionTimestamp") is { Length: > 0 };
        if (deleting && JsonPath.Str(status, "reason") == "NodeLost")
        {
            reason = "Unknown";
        }
        else if (deleting && phase is not ("Succeeded" or "Failed"))
        {
            reason = "Terminating";
        }

        var restartsText = restarts.ToString();
        if (restarts != 0 && lastRestart is { } lr)
        {
            restartsText = $"{restarts} ({HumanDuration.Format(now - lr)} ago)";
        }

        var podIp = JsonPath.Objects(status, "podIPs").Select(p => JsonPath.Str(p, "ip")).FirstOrDefault() ?? "";
        var nodeName = JsonPath.Str(spec, "nodeName") ?? "";
        var nominated = JsonPath.Str(status, "nominatedNodeName") ?? "";
        var readinessGates = "<none>";
        var gates = JsonPath.Objects(spec, "readinessGates").ToList();
        if (gates.Count > 0)
        {
            var trueConditions = 0;
            foreach (var gate in gates)
            {
                var type = JsonPath.Str(gate, "conditionType");
                var cond = JsonPath.Objects(status, "conditions").FirstOrDefault(c => JsonPath.Str(c, "type") == type);
                if (cond is not null && JsonPath.Str(cond, "status") == "True")
                {
                    trueConditions++;
                }
            }

            readinessGates = $"{trueConditions}/{gates.Count}";
        }

        return
        [
            JsonPath.Name(pod),
            $"{readyContainers}/{totalContainers}",
            reason,
            restartsText,
            Printing.Cells.Age(pod, now),
            podIp.Length == 0 ? "<none>" : podIp,
            nodeName.Length == 0 ? "<none>" : nodeName,
            nominated.Length == 0 ? "<none>" : nominated,
            readinessGates,
        ];
    }

    private static bool IsRestartable(JsonObject initContainer) => JsonPath.Str(initContainer, "restartPolicy") == "Always";

    private static DateTimeOffset? LastTermination(JsonObject cs) =>
        HumanDuration.Parse(JsonPath.Str(cs, "lastState", "terminated", "finishedAt"));

    private static bool HasCondition(JsonObject? status, string type) =>
        JsonPath.Objects(status, "conditions").Any(c => JsonPath.Str(c, "type") == type && JsonPath.Str(c, "status") == "True");

    private static long Cells_Int(JsonNode? node, string key) => JsonPath.Long(node, key) ?? 0;
}
