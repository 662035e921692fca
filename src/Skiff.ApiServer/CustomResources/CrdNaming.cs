using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.CustomResources;

/// <summary>
/// Upstream's naming controller (<c>apiextensions-apiserver/pkg/controller/status/naming_controller.go</c>) as a pure
/// function: which of a CRD's requested names it may have, given the names the other CRDs of its group have been
/// granted and the built-in resources of that group, and the resulting <c>NamesAccepted</c> and <c>Established</c>
/// conditions. A name the CRD already holds stays its own; a requested name someone else holds is refused with
/// <c>"name" is already in use</c> and reason <c>PluralConflict</c>, <c>SingularConflict</c>, <c>ShortNamesConflict</c>,
/// <c>KindConflict</c> or <c>ListKindConflict</c>.
/// </summary>
public static class CrdNaming
{
    /// <summary>The outcome: the names to record in <c>status.acceptedNames</c> and the two conditions.</summary>
    /// <param name="AcceptedNames">The new <c>status.acceptedNames</c>.</param>
    /// <param name="NamesAccepted">Status, reason and message of NamesAccepted.</param>
    /// <param name="Established">Status, reason and message of Established.</param>
    public sealed record Result(JsonObject AcceptedNames, (string Status, string Reason, string Message) NamesAccepted, (string Status, string Reason, string Message) Established);

    /// <summary>Computes the names and conditions of <paramref name="crd"/> among <paramref name="others"/>.</summary>
    /// <param name="crd">The CRD.</param>
    /// <param name="others">The other CRDs (any group; only those of the same group count).</param>
    /// <param name="builtIns">The built-in (not custom) resources served.</param>
    public static Result Compute(JsonObject crd, IEnumerable<JsonObject> others, IEnumerable<ResourceDescriptor> builtIns)
    {
        var group = JsonPath.Str(crd, "spec", "group") ?? "";
        var resources = new HashSet<string>(StringComparer.Ordinal);
        var kinds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var other in others)
        {
            if (JsonPath.Str(other, "spec", "group") != group || JsonPath.Name(other) == JsonPath.Name(crd))
            {
                continue;
            }

            var accepted = JsonPath.Obj(other, "status", "acceptedNames");
            Add(resources, JsonPath.Str(accepted, "plural"));
            Add(resources, JsonPath.Str(accepted, "singular"));
            foreach (var s in Strings(accepted?["shortNames"]))
            {
                Add(resources, s);
            }

            Add(kinds, JsonPath.Str(accepted, "kind"));
            Add(kinds, JsonPath.Str(accepted, "listKind"));
        }

        foreach (var d in builtIns.Where(d => !d.Custom && d.Group == group))
        {
            Add(resources, d.Resource);
            Add(resources, d.SingularName);
            foreach (var s in d.ShortNames)
            {
                Add(resources, s);
            }

            Add(kinds, d.Kind);
            Add(kinds, d.ListKind);
        }

        var requested = JsonPath.Obj(crd, "spec", "names") ?? [];
        var acceptedNames = JsonPath.Obj(crd, "status", "acceptedNames") ?? [];
        var newNames = (JsonObject)acceptedNames.DeepClone();
        (string Status, string Reason, string Message) names = ("Unknown", "", "");

        void Check(string field, string reason, HashSet<string> used)
        {
            var want = JsonPath.Str(requested, field) ?? "";
            var have = JsonPath.Str(acceptedNames, field) ?? "";
            if (want == have || !used.Contains(want))
            {
                SetName(newNames, field, want);
            }
            else
            {
                names = ("False", reason, $"\"{want}\" is already in use");
            }
        }

        Check("plural", "PluralConflict", resources);
        Check("singular", "SingularConflict", resources);
        var wantShort = Strings(requested["shortNames"]).ToList();
        var haveShort = Strings(acceptedNames["shortNames"]).ToList();
        if (!wantShort.SequenceEqual(haveShort))
        {
            var errors = wantShort.Where(s => !haveShort.Contains(s) && resources.Contains(s)).Select(s => $"\"{s}\" is already in use").ToList();
            if (errors.Count > 0)
            {
                // Go's utilerrors.NewAggregate: one error alone, several in brackets.
                names = ("False", "ShortNamesConflict", errors.Count == 1 ? errors[0] : "[" + string.Join(", ", errors) + "]");
            }
            else if (wantShort.Count > 0)
            {
                newNames["shortNames"] = new JsonArray(wantShort.Select(s => (JsonNode?)s).ToArray());
            }
            else
            {
                newNames.Remove("shortNames");
            }
        }

        Check("kind", "KindConflict", kinds);
        Check("listKind", "ListKindConflict", kinds);
        if (requested["categories"] is JsonArray { Count: > 0 } categories)
        {
            newNames["categories"] = categories.DeepClone();
        }
        else
        {
            newNames.Remove("categories");
        }

        if (names.Status == "Unknown")
        {
            names = ("True", "NoConflicts", "no conflicts found");
        }

        (string Status, string Reason, string Message) established = ("False", "NotAccepted", "not all names are accepted");
        if (CrdConditions.Find(crd, "Established") is { } old)
        {
            established = (JsonPath.Str(old, "status") ?? "False", JsonPath.Str(old, "reason") ?? "", JsonPath.Str(old, "message") ?? "");
        }

        if (established.Status != "True" && names.Status == "True")
        {
            // Upstream's establishing controller then flips it to True once the names are served; Skiff serves in the
            // same pass, so the CRD is established at once.
            established = ("True", "InitialNamesAccepted", "the initial names have been accepted");
        }

        return new Result(newNames, names, established);
    }

    private static void SetName(JsonObject names, string field, string value)
    {
        if (value.Length == 0 && field is not ("plural" or "kind"))
        {
            names.Remove(field);
        }
        else
        {
            names[field] = value;
        }
    }

    private static void Add(HashSet<string> set, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            set.Add(value);
        }
    }

    private static IEnumerable<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(JsonPath.AsString).OfType<string>() : [];
}
