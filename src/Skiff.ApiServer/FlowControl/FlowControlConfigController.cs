using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Skiff.Api.Errors;
using Skiff.ApiServer.Authorization;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;
using Skiff.Storage;

namespace Skiff.ApiServer.FlowControl;

/// <summary>
/// Upstream's APF configuration consumer: follows every FlowSchema and PriorityLevelConfiguration in the store,
/// hands each change to the <see cref="FlowController"/>, and keeps each FlowSchema's <c>Dangling</c> status
/// condition (False/Found when its priority level exists, True/NotFound otherwise) through the status subresource.
/// </summary>
internal sealed partial class FlowControlConfigController(
    FlowController controller, IStorage storage, GenericStore flowSchemas, GenericStore priorityLevels, TimeProvider clock, ILogger logger)
{
    private const string Manager = "api-priority-and-fairness-config-consumer-v1";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, JsonObject> _schemas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonObject> _levels = new(StringComparer.Ordinal);
    private readonly Channel<bool> _dirty = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Starts following; completes once both kinds are listed and applied. Runs until <paramref name="lifetime"/> ends.</summary>
    public async Task StartAsync(CancellationToken lifetime, CancellationToken ct)
    {
        var fsFollower = Follow(new StorageFollower(storage, ResourcePrefix(flowSchemas)), _schemas);
        var plFollower = Follow(new StorageFollower(storage, ResourcePrefix(priorityLevels)), _levels);
        _ = fsFollower.RunAsync(lifetime);
        _ = plFollower.RunAsync(lifetime);
        await fsFollower.Synced.WaitAsync(ct).ConfigureAwait(false);
        await plFollower.Synced.WaitAsync(ct).ConfigureAwait(false);
        _ = Task.Run(() => MaintainStatusAsync(lifetime), CancellationToken.None);
    }

    /// <summary>The Dangling condition a FlowSchema should carry when its level exists (or not).</summary>
    public static JsonObject DanglingCondition(string priorityLevel, bool exists, string now) => new()
    {
        ["type"] = "Dangling",
        ["status"] = exists ? "False" : "True",
        ["lastTransitionTime"] = now,
        ["reason"] = exists ? "Found" : "NotFound",
        ["message"] = exists
            ? $"This FlowSchema references the PriorityLevelConfiguration object named \"{priorityLevel}\" and it exists"
            : $"This FlowSchema references the PriorityLevelConfiguration object named \"{priorityLevel}\" but there is no such object",
    };

    private static string ResourcePrefix(GenericStore store) => store.Descriptor.StoragePrefix;

    private StorageFollower Follow(StorageFollower follower, Dictionary<string, JsonObject> into)
    {
        follower.Reset += all =>
        {
            lock (_lock)
            {
                into.Clear();
                foreach (var (k, v) in all)
                {
                    into[k] = v;
                }
            }

            Changed();
        };
        follower.Changed += (key, obj) =>
        {
            lock (_lock)
            {
                if (obj is null)
                {
                    into.Remove(key);
                }
                else
                {
                    into[key] = obj;
                }
            }

            Changed();
        };
        return follower;
    }

    private void Changed()
    {
        List<JsonObject> schemas, levels;
        lock (_lock)
        {
            schemas = [.. _schemas.Values];
            levels = [.. _levels.Values];
            controller.Apply(schemas, levels);
        }

        _dirty.Writer.TryWrite(true);
    }

    private async Task MaintainStatusAsync(CancellationToken lifetime)
    {
        try
        {
            await foreach (var _ in _dirty.Reader.ReadAllAsync(lifetime).ConfigureAwait(false))
            {
                List<JsonObject> schemas;
                HashSet<string> levels;
                lock (_lock)
                {
                    schemas = [.. _schemas.Values];
                    levels = [.. _levels.Values.Select(JsonPath.Name)];
                }

                foreach (var fs in schemas)
                {
                    await UpdateStatusAsync(fs, levels, lifetime).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            // Server stopping.
        }
    }

    private async Task UpdateStatusAsync(JsonObject fs, HashSet<string> levels, CancellationToken ct)
    {
        var pl = JsonPath.Str(fs, "spec", "priorityLevelConfiguration", "name") ?? "";
        var exists = levels.Contains(pl);
        var current = (JsonPath.Arr(fs, "status", "conditions") ?? []).OfType<JsonObject>().FirstOrDefault(c => JsonPath.Str(c, "type") == "Dangling");
        var desired = DanglingCondition(pl, exists, clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        if (current is not null && JsonPath.Str(current, "status") == JsonPath.Str(desired, "status") && JsonPath.Str(current, "message") == JsonPath.Str(desired, "message"))
        {
            return;
        }

        try
        {
            await flowSchemas.UpdateAsync("", JsonPath.Name(fs), o =>
            {
                var status = o["status"] as JsonObject ?? [];
                o["status"] = status;
                var conditions = status["conditions"] as JsonArray ?? [];
                status["conditions"] = conditions;
                var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => JsonPath.Str(c, "type") == "Dangling");
                var write = desired.DeepClone().AsObject();
                if (existing is not null && JsonPath.Str(existing, "status") == JsonPath.Str(desired, "status"))
                {
                    write["lastTransitionTime"] = existing["lastTransitionTime"]?.DeepClone();
                }

                if (existing is not null)
                {
                    conditions[conditions.IndexOf(existing)] = write;
                }
                else
                {
                    conditions.Add(write);
                }

                return o;
            }, null, new WriteOptions(false, Manager, "status"), ct).ConfigureAwait(false);
        }
        catch (StatusException e) when (e.Code is 404 or 409)
        {
            // Deleted or changed meanwhile: the follower brings the next version.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogStatusFailed(logger, JsonPath.Name(fs), e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "flow control: could not update the status of FlowSchema {Name}")]
    private static partial void LogStatusFailed(ILogger logger, string name, Exception e);
}
