using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;
using Skiff.ApiServer.Store;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// The <c>status.conditions</c> of a CustomResourceDefinition (upstream <c>apiextensionshelpers.SetCRDCondition</c>):
/// one condition per type; <c>lastTransitionTime</c> moves only when the status changes.
/// </summary>
public static class CrdConditions
{
    /// <summary>The finalizer under which a deleted CRD's custom resources are deleted before the CRD goes.</summary>
    public const string CleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

    /// <summary>The condition of <paramref name="type"/>, or null.</summary>
    public static JsonObject? Find(JsonObject crd, string type) =>
        JsonPath.Objects(crd, "status", "conditions").FirstOrDefault(c => JsonPath.Str(c, "type") == type);

    /// <summary>True when the condition of <paramref name="type"/> has status True.</summary>
    public static bool IsTrue(JsonObject crd, string type) => Find(crd, type) is { } c && JsonPath.Str(c, "status") == "True";

    /// <summary>Sets (adds or replaces) a condition; keeps <c>lastTransitionTime</c> when the status is unchanged.</summary>
    public static void Set(JsonObject crd, string type, string status, string reason, string message, DateTimeOffset now)
    {
        var st = JsonPath.Ensure(crd, "status");
        if (st["conditions"] is not JsonArray conditions)
        {
            conditions = [];
            st["conditions"] = conditions;
        }

        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => JsonPath.Str(c, "type") == type);
        var transition = existing is not null && JsonPath.Str(existing, "status") == status && JsonPath.Str(existing, "lastTransitionTime") is { } t
            ? t
            : Meta.Timestamp(now);
        var condition = new JsonObject
        {
            ["type"] = type,
            ["status"] = status,
            ["lastTransitionTime"] = transition,
            ["reason"] = reason,
            ["message"] = message,
        };
        if (existing is null)
        {
            conditions.Add(condition);
        }
        else
        {
            conditions[conditions.IndexOf(existing)] = condition;
        }
    }
}
