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

    private const string NotReady = "node.kubernetes.io/not-ready";
    private const string Unreachable = "node.kubernetes.io/unreachable";

    /// <summary>Adds the missing default tolerations to a pod spec.</summary>
    public static void Apply(JsonObject spec)
    {
        var tolerations = JsonPath.Arr(spec, "tolerations");
        var notReady = Tolerates(tolerations, NotReady);
        var unreachable = Tolerates(tolerations, Unreachable);
        if (notReady && unreachable)
        {
            return;
        }

        if (tolerations is null)
        {
            spec["tolerations"] = tolerations = [];
        }

        if (!notReady)
        {
            tolerations.Add(Toleration(NotReady));
        }

        if (!unreachable)
        {
            tolerations.Add(Toleration(Unreachable));
        }
    }

    private static JsonObject Toleration(string key) =>
        new() { ["key"] = key, ["operator"] = "Exists", ["effect"] = "NoExecute", ["tolerationSeconds"] = Seconds };

    /// <summary>Whether a toleration matches <paramref name="key"/> (or every key) with the NoExecute effect (or every effect).</summary>
    private static bool Tolerates(JsonArray? tolerations, string key)
    {
        for (var i = 0; tolerations is not null && i < tolerations.Count; i++)
        {
            if (tolerations[i] is not JsonObject t)
            {
                continue;
            }

            var tolerationKey = JsonPath.Str(t, "key");
            if ((tolerationKey is null or "" || tolerationKey == key) && JsonPath.Str(t, "effect") is null or "" or "NoExecute")
            {
                return true;
            }
        }

        return false;
    }
}
