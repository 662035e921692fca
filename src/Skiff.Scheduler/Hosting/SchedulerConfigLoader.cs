using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Client.Config;
using Skiff.Scheduler.Plugins.NodeResourcesFit;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace Skiff.Scheduler.Hosting;

/// <summary>
/// Reads upstream's <c>KubeSchedulerConfiguration</c> (<c>kubescheduler.config.k8s.io/v1</c>, YAML or JSON) into
/// <see cref="SchedulerOptions"/>: <c>percentageOfNodesToScore</c>, <c>leaderElection.leaderElect</c> and per
/// profile its <c>schedulerName</c>, <c>plugins.&lt;point&gt;.enabled/disabled</c> (a plugin disabled at any point is
/// off; <c>score</c>/<c>multiPoint</c> weights apply) and <c>NodeResourcesFit</c>'s <c>scoringStrategy</c> args.
/// </summary>
public static class SchedulerConfigLoader
{
    /// <summary>The client configuration of loaded options until the caller sets the real one.</summary>
    public static ClientConfig Placeholder { get; } = new() { Host = new Uri("https://127.0.0.1:6443") };

    /// <summary>Parses <paramref name="text"/>; the client configuration is left empty for the caller to fill.</summary>
    /// <exception cref="FormatException">The document is not a valid v1 KubeSchedulerConfiguration.</exception>
    public static SchedulerOptions Load(string text)
    {
        JsonObject root;
        try
        {
            root = ToJson(new DeserializerBuilder().Build().Deserialize<object>(text)) as JsonObject ?? throw new FormatException("the configuration is not an object");
        }
        catch (YamlException e)
        {
            throw new FormatException($"invalid YAML: {e.Message}", e);
        }

        var apiVersion = (string?)root["apiVersion"];
        var kind = (string?)root["kind"];
        if (apiVersion != "kubescheduler.config.k8s.io/v1" || kind != "KubeSchedulerConfiguration")
        {
            throw new FormatException($"expected apiVersion kubescheduler.config.k8s.io/v1, kind KubeSchedulerConfiguration; got {apiVersion}, {kind}");
        }

        var profiles = new List<ProfileConfig>();
        foreach (var p in root["profiles"] as JsonArray ?? [])
        {
            profiles.Add(Profile(p as JsonObject ?? throw new FormatException("a profile must be an object")));
        }

        if (profiles.Count == 0)
        {
            profiles.Add(new ProfileConfig());
        }

        var pct = root["percentageOfNodesToScore"] is JsonValue v ? (int)Long(v) : 0;
        if (pct is < 0 or > 100)
        {
            throw new FormatException($"percentageOfNodesToScore: Invalid value: {pct}: not in valid range [0-100]");
        }

        var parallelism = root["parallelism"] is JsonValue pv ? (int)Long(pv) : 16;
        if (parallelism <= 0)
        {
            throw new FormatException($"parallelism: Invalid value: {parallelism}: should be an integer value greater than zero");
        }

        return new SchedulerOptions
        {
            Client = Placeholder,
            Profiles = profiles,
            PercentageOfNodesToScore = pct,
            Parallelism = parallelism,
            LeaderElect = root["leaderElection"]?["leaderElect"] is not JsonValue le || (bool)le,
        };
    }

    private static ProfileConfig Profile(JsonObject p)
    {
        var disabled = new HashSet<string>(StringComparer.Ordinal);
        var enabled = new List<string>();
        var weights = new Dictionary<string, int>(StringComparer.Ordinal);
        if (p["plugins"] is JsonObject plugins)
        {
            foreach (var (point, set) in plugins)
            {
                foreach (var d in set?["disabled"] as JsonArray ?? [])
                {
                    disabled.Add((string?)d?["name"] ?? throw new FormatException($"plugins.{point}.disabled: name is required"));
                }

                foreach (var e in set?["enabled"] as JsonArray ?? [])
                {
                    var name = (string?)e?["name"] ?? throw new FormatException($"plugins.{point}.enabled: name is required");
                    if (!PluginRegistry.Names.Contains(name))
                    {
                        throw new FormatException($"plugins.{point}.enabled: plugin \"{name}\" does not exist");
                    }

                    enabled.Add(name);
                    if (e?["weight"] is JsonValue w && point is "score" or "multiPoint")
                    {
                        weights[name] = (int)Long(w);
                    }
                }
            }
        }

        var strategy = ScoringStrategy.LeastAllocated;
        List<(long, long)>? shape = null;
        foreach (var pc in p["pluginConfig"] as JsonArray ?? [])
        {
            if ((string?)pc?["name"] != NodeResourcesFit.PluginName || pc?["args"]?["scoringStrategy"] is not JsonObject ss)
            {
                continue;
            }

            strategy = (string?)ss["type"] switch
            {
                null or "LeastAllocated" => ScoringStrategy.LeastAllocated,
                "MostAllocated" => ScoringStrategy.MostAllocated,
                "RequestedToCapacityRatio" => ScoringStrategy.RequestedToCapacityRatio,
                var other => throw new FormatException($"scoringStrategy.type: Unsupported value: \"{other}\""),
            };
            if (ss["requestedToCapacityRatio"]?["shape"] is JsonArray points)
            {
                shape = [.. points.Select(x => (Long(x?["utilization"]), Long(x?["score"])))];
            }
        }

        return new ProfileConfig
        {
            SchedulerName = (string?)p["schedulerName"] ?? SchedulerOptions.DefaultSchedulerName,
            Disabled = disabled,
            Enabled = enabled,
            Weights = weights,
            ScoringStrategy = strategy,
            Shape = shape,
        };
    }

    private static long Long(JsonNode? n) => n is JsonValue v && v.TryGetValue<long>(out var l) ? l
        : n is null ? 0 : throw new FormatException($"expected an integer, got {n.ToJsonString()}");

    /// <summary>YamlDotNet's untyped tree as JSON; plain scalars that read as integers or booleans become those.</summary>
    private static JsonNode? ToJson(object? node) => node switch
    {
        null => null,
        IDictionary<object, object> map => new JsonObject(map.Select(kv => KeyValuePair.Create(Convert.ToString(kv.Key, CultureInfo.InvariantCulture) ?? "", ToJson(kv.Value)))),
        IList<object> list => new JsonArray([.. list.Select(ToJson)]),
        string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
        string s when s is "true" or "false" => JsonValue.Create(s == "true"),
        string s => JsonValue.Create(s),
        _ => JsonValue.Create(Convert.ToString(node, CultureInfo.InvariantCulture)),
    };
}
