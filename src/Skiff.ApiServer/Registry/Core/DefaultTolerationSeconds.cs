using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// Upstream's DefaultTolerationSeconds admission plugin (<c>plugin/pkg/admission/defaulttolerationseconds</c>): a pod
/// created without a toleration of the <c>node.kubernetes.io/not-ready</c> (or <c>unreachable</c>) NoExecute taint
/// gets one, operator Exists, tolerationSeconds 300, so the taint-eviction controller deletes it five minutes after
/// its node went away rather than at once. A toleration with an empty key or an empty effect counts as tolerating.
/// Applied on create (upstream also on update, where it can only add what create already added).
/// </summary>
public static class DefaultTolerationSeconds
{
    /// <summary>Upstream's <c>--default-not-ready-toleration-seconds</c> and <c>--default-unreachable-toleration-seconds</c>.</summary>
    public const long Seconds = 300;

    /// <summary>Adds the missing default tolerations to a pod spec.</summary>
    public static void Apply(JsonObject spec)
    {
        var tolerations = JsonPath.Arr(spec, "tolerations");
        bool Tolerates(string key) => (tolerations ?? []).OfType<JsonObject>().Any(t =>
            JsonPath.Str(t, "key") is null or "" || JsonPath.Str(t, "key") == key
                ? JsonPath.Str(t, "effect") is null or "" or "NoExecute"
                : false);
        var notReady = Tolerates("node.kubernetes.io/not-ready");
        var unreachable = Tolerates("node.kubernetes.io/unreachable");
        if (notReady && unreachable)
        {
            return;
        }

        if (tolerations is null)
        {
            spec["tolerations"] = tolerations = [];
        }

        foreach (var (key, has) in (ReadOnlySpan<(string, bool)>)[("node.kubernetes.io/not-ready", notReady), ("node.kubernetes.io/unreachable", unreachable)])
        {
            if (!has)
            {
                tolerations.Add(new JsonObject { ["key"] = key, ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = Seconds });
            }
        }
    }
}
