using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Dynamic;
using Skiff.Client.Rest;

namespace Skiff.Client.Runtime;

/// <summary>
/// Status conditions (<c>metav1.Condition</c>) with the semantics of <c>k8s.io/apimachinery/pkg/api/meta</c>'s
/// condition helpers: a condition is identified by its <c>type</c>; <c>lastTransitionTime</c> changes only when the
/// <c>status</c> changes (to the new condition's time, or now when it has none); reason, message and
/// observedGeneration are copied without touching it. Times are whole seconds, as <c>metav1.Time</c> serializes.
/// </summary>
public static class Conditions
{
    /// <summary>
    /// Sets <paramref name="condition"/> in <paramref name="conditions"/> (<c>meta.SetStatusCondition</c>): appends it when
    /// its type is absent (with <c>lastTransitionTime</c> now if unset), else updates the existing entry in place.
    /// Returns whether anything changed.
    /// </summary>
    /// <param name="time">The clock for "now" (default: the system clock).</param>
    public static bool Set(IList<V1Condition> conditions, V1Condition condition, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        ArgumentNullException.ThrowIfNull(condition);
        var existing = Find(conditions, condition.Type);
        if (existing is null)
        {
            conditions.Add(new V1Condition
            {
                Type = condition.Type,
                Status = condition.Status,
                Reason = condition.Reason,
                Message = condition.Message,
                ObservedGeneration = condition.ObservedGeneration,
                LastTransitionTime = IsZero(condition.LastTransitionTime) ? Now(time) : condition.LastTransitionTime,
            });
            return true;
        }

        var changed = false;
        if (existing.Status != condition.Status)
        {
            existing.Status = condition.Status;
            existing.LastTransitionTime = IsZero(condition.LastTransitionTime) ? Now(time) : condition.LastTransitionTime;
            changed = true;
        }

        if (existing.Reason != condition.Reason)
        {
            existing.Reason = condition.Reason;
            changed = true;
        }

        if (existing.Message != condition.Message)
        {
            existing.Message = condition.Message;
            changed = true;
        }

        if (existing.ObservedGeneration != condition.ObservedGeneration)
        {
            existing.ObservedGeneration = condition.ObservedGeneration;
            changed = true;
        }

        return changed;
    }

    /// <summary>Removes the condition of <paramref name="type"/> (<c>meta.RemoveStatusCondition</c>); returns whether one was removed.</summary>
    public static bool Remove(IList<V1Condition> conditions, string type)
    {
        ArgumentNullException.ThrowIfNull(conditions);
        var removed = false;
        for (var i = conditions.Count - 1; i >= 0; i--)
        {
            if (conditions[i].Type == type)
            {
                conditions.RemoveAt(i);
                removed = true;
            }
        }

        return removed;
    }

    /// <summary>The condition of <paramref name="type"/>, or null (<c>meta.FindStatusCondition</c>).</summary>
    public static V1Condition? Find(IEnumerable<V1Condition>? conditions, string type)
        => conditions?.FirstOrDefault(c => c.Type == type);

    /// <summary>Whether the condition of <paramref name="type"/> is present with status <c>True</c>.</summary>
    public static bool IsTrue(IEnumerable<V1Condition>? conditions, string type) => IsPresentAndEqual(conditions, type, "True");

    /// <summary>Whether the condition of <paramref name="type"/> is present with status <c>False</c>.</summary>
    public static bool IsFalse(IEnumerable<V1Condition>? conditions, string type) => IsPresentAndEqual(conditions, type, "False");

    /// <summary>Whether the condition of <paramref name="type"/> is present with <paramref name="status"/>.</summary>
    public static bool IsPresentAndEqual(IEnumerable<V1Condition>? conditions, string type, string status)
        => Find(conditions, type)?.Status == status;

    /// <summary>The <c>status.conditions</c> of a dynamic object (empty when absent); a copy, change it with <see cref="Set(DynamicObject, V1Condition, TimeProvider?)"/>.</summary>
    public static List<V1Condition> Of(DynamicObject obj)
        => obj.Object["status"]?["conditions"]?.Deserialize<List<V1Condition>>(KubernetesSerialization.Options) ?? [];

    /// <summary>
    /// <see cref="Set(IList{V1Condition}, V1Condition, TimeProvider?)"/> on a dynamic object's <c>status.conditions</c>,
    /// written back into its JSON (creating <c>status</c> when absent) only when something changed.
    /// </summary>
    public static bool Set(DynamicObject obj, V1Condition condition, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var conditions = Of(obj);
        if (!Set(conditions, condition, time))
        {
            return false;
        }

        if (obj.Object["status"] is not JsonObject status)
        {
            status = [];
            obj.Object["status"] = status;
        }

        status["conditions"] = JsonSerializer.SerializeToNode(conditions, KubernetesSerialization.Options);
        return true;
    }

    private static bool IsZero(DateTime? t) => t is null || t.Value == default;

    private static DateTime Now(TimeProvider? time)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow().UtcDateTime;
        return new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Utc);
    }
}
