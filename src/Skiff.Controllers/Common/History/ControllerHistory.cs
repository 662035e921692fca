using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Rest;
using Skiff.Client.Typed;
using Skiff.Controllers.Deployment;

namespace Skiff.Controllers.Common.History;

/// <summary>
/// ControllerRevisions as upstream's <c>pkg/controller/history</c> and the DaemonSet and StatefulSet controllers
/// write them, and as kubectl's <c>rollout history|undo</c> reads them:
/// <list type="bullet">
/// <item><c>data</c> is the set's template as a strategic merge patch, <c>{"spec":{"template":{…,"$patch":"replace"}}}</c>,
/// with object keys sorted as Go's <c>json.Marshal</c> of a map sorts them (<see cref="TemplatePatch"/>);</item>
/// <item>revisions are labelled with the template's labels plus <c>controller-revision-hash</c>, owned by the set
/// through a controller reference, and named <c>&lt;set&gt;-&lt;hash&gt;</c> (<see cref="RevisionName"/>);</item>
/// <item>two revisions are equal when their data is (<see cref="Equal"/>), compared in a canonical form so the wire
/// format a revision was read with does not matter.</item>
/// </list>
/// </summary>
internal static class ControllerHistory
{
    /// <summary>Upstream's <c>ControllerRevisionHashLabel</c> (also <c>DefaultDaemonSetUniqueLabelKey</c> and <c>StatefulSetRevisionLabel</c>).</summary>
    public const string HashLabel = "controller-revision-hash";

    private static readonly JsonSerializerOptions GoJson = new() { Encoder = JavaScriptEncoder.Default };

    /// <summary>
    /// Upstream's <c>getPatch</c>: the template as the patch that replaces a set's template, keys sorted at every level
    /// (<c>$patch</c> sorts first).
    /// </summary>
    public static string TemplatePatch(V1PodTemplateSpec template)
    {
        var node = JsonSerializer.SerializeToNode(template, KubernetesSerialization.Options) as JsonObject ?? [];
        node["$patch"] = "replace";
        var patch = new JsonObject { ["spec"] = new JsonObject { ["template"] = node } };
        return Sorted(patch)!.ToJsonString(GoJson);
    }

    /// <summary>The template a revision's data carries (its <c>spec.template</c> without the <c>$patch</c> directive).</summary>
    /// <exception cref="InvalidOperationException">The data has no <c>spec.template</c>.</exception>
    public static V1PodTemplateSpec Template(V1ControllerRevision revision)
    {
        var data = DataNode(revision.Data);
        if (data?["spec"]?["template"] is not JsonObject template)
        {
            throw new InvalidOperationException($"controller revision {revision.Metadata.Name} has no spec.template in its data");
        }

        var copy = (JsonObject)template.DeepClone();
        copy.Remove("$patch");
        return copy.Deserialize<V1PodTemplateSpec>(KubernetesSerialization.Options)!;
    }

    /// <summary>A revision's data as JSON (whatever object the client decoded it to).</summary>
    public static JsonNode? DataNode(object? data) => data switch
    {
        null => null,
        JsonNode n => n,
        JsonElement e => JsonNode.Parse(e.GetRawText()),
        string s => JsonNode.Parse(s),
        _ => JsonSerializer.SerializeToNode(data, KubernetesSerialization.Options),
    };

    /// <summary>The canonical text of a revision's data (see <see cref="PodTemplateHash.Normalize"/>).</summary>
    public static string CanonicalData(object? data) => PodTemplateHash.Normalize(DataNode(data))?.ToJsonString() ?? "{}";

    /// <summary>Upstream's <c>EqualRevision</c>: both present and carrying equal data.</summary>
    public static bool Equal(V1ControllerRevision? a, V1ControllerRevision? b) =>
        a is not null && b is not null && CanonicalData(a.Data) == CanonicalData(b.Data);

    /// <summary>Upstream's <c>FindEqualRevisions</c>: the revisions of <paramref name="revisions"/> equal to <paramref name="needle"/>.</summary>
    public static List<V1ControllerRevision> FindEqual(IEnumerable<V1ControllerRevision> revisions, V1ControllerRevision needle)
    {
        var canonical = CanonicalData(needle.Data);
        return [.. revisions.Where(r => CanonicalData(r.Data) == canonical)];
    }

    /// <summary>Upstream's <c>SortControllerRevisions</c>: by revision, then creation time, then name.</summary>
    public static List<V1ControllerRevision> Sort(IEnumerable<V1ControllerRevision> revisions) =>
        [.. revisions.OrderBy(r => r.Revision).ThenBy(r => r.Metadata.CreationTimestamp ?? DateTime.MinValue).ThenBy(r => r.Metadata.Name, StringComparer.Ordinal)];

    /// <summary>Upstream's <c>nextRevision</c>/<c>maxRevision</c>+1: one more than the largest revision, 1 when none.</summary>
    public static long NextRevision(IEnumerable<V1ControllerRevision> revisions) => revisions.Aggregate(0L, (max, r) => Math.Max(max, r.Revision ?? 0)) + 1;

    /// <summary>
    /// Upstream's <c>HashControllerRevision</c>: FNV-1 (32-bit) of the data (here its canonical text) and, when given,
    /// the decimal <paramref name="probe"/>, printed in decimal and safe-encoded.
    /// </summary>
    public static string Hash(object? data, int? probe)
    {
        var hash = 2166136261u;
        void Add(ReadOnlySpan<byte> bytes)
        {
            foreach (var b in bytes)
            {
                hash = unchecked(hash * 16777619u);
                hash ^= b;
            }
        }

        Add(Encoding.UTF8.GetBytes(CanonicalData(data)));
        if (probe is { } p)
        {
            Add(Encoding.UTF8.GetBytes(p.ToString(CultureInfo.InvariantCulture)));
        }

        return PodTemplateHash.SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Upstream's <c>ControllerRevisionName</c>: <c>&lt;prefix&gt;-&lt;hash&gt;</c>, the prefix cut to 223 characters.</summary>
    public static string RevisionName(string prefix, string hash) => (prefix.Length > 223 ? prefix[..223] : prefix) + "-" + hash;

    /// <summary>
    /// Upstream's <c>NewControllerRevision</c>: a revision of <paramref name="parent"/> (labels: the template's plus
    /// the hash; a controller reference; name from the hash of the data and <paramref name="collisionCount"/>).
    /// </summary>
    public static V1ControllerRevision New(V1ObjectMeta parent, string apiVersion, string kind, IDictionary<string, string>? templateLabels,
        string data, long revision, int? collisionCount)
    {
        var cr = new V1ControllerRevision
        {
            ApiVersion = "apps/v1",
            Kind = "ControllerRevision",
            Metadata = new V1ObjectMeta
            {
                NamespaceProperty = parent.NamespaceProperty,
                Labels = templateLabels is null ? new Dictionary<string, string>() : new Dictionary<string, string>(templateLabels),
                OwnerReferences = [ControllerRefManager<V1ControllerRevision>.NewControllerRef(parent, apiVersion, kind)],
            },
            Data = JsonDocument.Parse(data).RootElement.Clone(),
            Revision = revision,
        };
        var hash = Hash(cr.Data, collisionCount);
        cr.Metadata.Name = RevisionName(parent.Name, hash);
        cr.Metadata.Labels[HashLabel] = hash;
        return cr;
    }

    /// <summary>
    /// Upstream's <c>CreateControllerRevision</c>: creates <paramref name="revision"/>, renaming it by the hash with
    /// <paramref name="collisionCount"/>; when the name is taken by a revision with the same data that one is returned,
    /// else the count is bumped and the next name tried.
    /// </summary>
    public static async Task<(V1ControllerRevision Revision, int CollisionCount)> CreateAsync(Clientset clientset, V1ObjectMeta parent,
        V1ControllerRevision revision, int collisionCount, CancellationToken ct)
    {
        var client = Revisions(clientset, parent.NamespaceProperty);
        while (true)
        {
            var clone = KubernetesSerialization.DeepCopy(revision);
            clone.Metadata.Name = RevisionName(parent.Name, Hash(revision.Data, collisionCount));
            try
            {
                return (await client.CreateAsync(clone, ct: ct).ConfigureAwait(false), collisionCount);
            }
            catch (KubernetesApiException e) when (e.IsAlreadyExists)
            {
                var existing = await client.GetAsync(clone.Metadata.Name, ct: ct).ConfigureAwait(false);
                if (Equal(existing, clone))
                {
                    return (existing, collisionCount);
                }

                collisionCount++;
            }
        }
    }

    /// <summary>
    /// Upstream's <c>ClaimControllerRevisions</c>: the revisions <paramref name="owner"/> owns after adopting matching
    /// orphans and releasing owned revisions that stopped matching (see <see cref="ControllerRefManager{T}"/>).
    /// </summary>
    public static Task<List<V1ControllerRevision>> ClaimAsync(Clientset clientset, V1ObjectMeta owner, string apiVersion, string kind,
        Skiff.Api.Selectors.LabelSelector selector, IEnumerable<V1ControllerRevision> revisions, Func<CancellationToken, Task> canAdopt, CancellationToken ct)
    {
        var manager = new ControllerRefManager<V1ControllerRevision>(owner, apiVersion, kind, selector, canAdopt,
            (cr, patch, c) => Revisions(clientset, cr.Metadata.NamespaceProperty).PatchAsync(cr.Metadata.Name, PatchType.StrategicMerge, patch, ct: c));
        return manager.ClaimAsync(revisions, ct);
    }

    /// <summary>The <c>controller-revision-hash</c> label of <paramref name="meta"/>; null when absent.</summary>
    public static string? HashOf(V1ObjectMeta meta) => meta.Labels is { } l && l.TryGetValue(HashLabel, out var h) ? h : null;

    /// <summary>The typed client of ControllerRevisions in <paramref name="ns"/>.</summary>
    public static ResourceClient<V1ControllerRevision, V1ControllerRevisionList> Revisions(Clientset clientset, string ns) =>
        clientset.Resource<V1ControllerRevision, V1ControllerRevisionList>(ns);

    /// <summary>A copy of <paramref name="node"/> with object keys in ordinal order at every level.</summary>
    private static JsonNode? Sorted(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Sorted(p.Value)))),
        JsonArray a => new JsonArray([.. a.Select(Sorted)]),
        _ => node?.DeepClone(),
    };
}
