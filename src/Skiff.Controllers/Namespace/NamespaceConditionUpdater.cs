using k8s.Models;

namespace Skiff.Controllers.Namespace;

/// <summary>
/// Upstream's <c>namespaceConditionUpdater</c> (<c>pkg/controller/namespace/deletion/status_condition_utils.go</c>):
/// collects what one deletion pass ran into and turns it into the five deletion conditions of a terminating
/// namespace. Every condition is always present: True with the failure's reason and message, or False with upstream's
/// "ok" reason and message. A condition's transition time changes only when its status, reason or message does.
/// </summary>
internal sealed class NamespaceConditionUpdater(DateTime now)
{
    public const string DiscoveryFailure = "NamespaceDeletionDiscoveryFailure";
    public const string GroupVersionParsingFailure = "NamespaceDeletionGroupVersionParsingFailure";
    public const string ContentFailure = "NamespaceDeletionContentFailure";
    public const string ContentRemaining = "NamespaceContentRemaining";
    public const string FinalizersRemaining = "NamespaceFinalizersRemaining";

    private static readonly string[] Types = [DiscoveryFailure, GroupVersionParsingFailure, ContentFailure, ContentRemaining, FinalizersRemaining];

    private static readonly Dictionary<string, (string Reason, string Message)> Ok = new()
    {
        [DiscoveryFailure] = ("ResourcesDiscovered", "All resources successfully discovered"),
        [GroupVersionParsingFailure] = ("ParsedGroupVersions", "All legacy kube types successfully parsed"),
        [ContentFailure] = ("ContentDeleted", "All content successfully deleted, may be waiting on finalization"),
        [ContentRemaining] = ("ContentRemoved", "All content successfully removed"),
        [FinalizersRemaining] = ("ContentHasNoFinalizers", "All content-preserving finalizers finished"),
    };

    private readonly List<V1NamespaceCondition> _conditions = [];
    private readonly List<string> _deleteErrors = [];

    /// <summary>Discovery failed (possibly partly): <c>DiscoveryFailed</c>.</summary>
    public void DiscoveryError(string message) => Add(DiscoveryFailure, "DiscoveryFailed", message);

    /// <summary>A discovered group version did not parse: <c>GroupVersionParsingFailed</c>.</summary>
    public void GroupVersionError(string message) => Add(GroupVersionParsingFailure, "GroupVersionParsingFailed", message);

    /// <summary>Deleting one resource type's content failed; all such failures make one <c>ContentDeletionFailed</c>.</summary>
    public void DeleteContentError(string message) => _deleteErrors.Add(message);

    /// <summary>What is left: instances per resource (<c>SomeResourcesRemain</c>) and per finalizer (<c>SomeFinalizersRemain</c>).</summary>
    public void ContentTotals(IReadOnlyDictionary<(string Resource, string Group), int> remaining, IReadOnlyDictionary<string, int> finalizers)
    {
        var resources = remaining.Where(r => r.Value > 0).Select(r => $"{r.Key.Resource}.{r.Key.Group} has {r.Value} resource instances").Order(StringComparer.Ordinal).ToList();
        if (resources.Count > 0)
        {
            Add(ContentRemaining, "SomeResourcesRemain", "Some resources are remaining: " + string.Join(", ", resources));
        }

        var byFinalizer = finalizers.Where(f => f.Value > 0).Select(f => $"{f.Key} in {f.Value} resource instances").Order(StringComparer.Ordinal).ToList();
        if (byFinalizer.Count > 0)
        {
            Add(FinalizersRemaining, "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: " + string.Join(", ", byFinalizer));
        }
    }

    /// <summary>Writes the conditions into <paramref name="status"/>; true when anything changed.</summary>
    public bool Update(V1NamespaceStatus status)
    {
        if (_deleteErrors.Count > 0 && _conditions.All(c => c.Type != ContentFailure))
        {
            var msgs = _deleteErrors.Order(StringComparer.Ordinal).ToList();
            Add(ContentFailure, "ContentDeletionFailed", $"Failed to delete all resource types, {msgs.Count} remaining: {string.Join(", ", msgs)}");
        }

        status.Conditions ??= [];
        var changed = false;
        foreach (var type in Types)
        {
            var fresh = _conditions.FirstOrDefault(c => c.Type == type)
                ?? new V1NamespaceCondition { Type = type, Status = "False", LastTransitionTime = now, Reason = Ok[type].Reason, Message = Ok[type].Message };
            var old = status.Conditions.FirstOrDefault(c => c.Type == type);
            if (old is null)
            {
                status.Conditions.Add(fresh);
                changed = true;
            }
            else if (old.Status != fresh.Status || old.Reason != fresh.Reason || old.Message != fresh.Message)
            {
                old.Status = fresh.Status;
                old.Reason = fresh.Reason;
                old.Message = fresh.Message;
                old.LastTransitionTime = fresh.LastTransitionTime;
                changed = true;
            }
        }

        return changed;
    }

    private void Add(string type, string reason, string message)
        => _conditions.Add(new V1NamespaceCondition { Type = type, Status = "True", LastTransitionTime = now, Reason = reason, Message = message });
}
