using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Skiff.Api.Patch;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// An immutable set of named OpenAPI v3 component schemas (the built-ins plus any custom-resource schemas), indexed
/// by name and by <c>x-kubernetes-group-version-kind</c>. Resolved <see cref="SchemaNode"/>s are cached per name.
/// </summary>
public sealed class SchemaSet : ISchemaProvider
{
    /// <summary>The prefix of every <c>$ref</c> in these schemas.</summary>
    public const string RefPrefix = "#/components/schemas/";

    private readonly IReadOnlyDictionary<string, JsonObject> _schemas;
    private readonly Dictionary<(string Group, string Version, string Kind), string> _byGvk = [];
    private readonly ConcurrentDictionary<string, SchemaNode?> _nodes = new(StringComparer.Ordinal);

    /// <summary>Creates a set over <paramref name="schemas"/> (which must not be modified afterwards).</summary>
    public SchemaSet(IReadOnlyDictionary<string, JsonObject> schemas)
    {
        _schemas = schemas;
        foreach (var (name, schema) in schemas)
        {
            if (schema["x-kubernetes-group-version-kind"] is not JsonArray gvks)
            {
                continue;
            }

            foreach (var gvk in gvks.OfType<JsonObject>())
            {
                var key = (gvk["group"]?.GetValue<string>() ?? "", gvk["version"]!.GetValue<string>(), gvk["kind"]!.GetValue<string>());

                // DeleteOptions and WatchEvent are tagged with every group; a kind's own tag wins.
                if (!_byGvk.TryGetValue(key, out var existing) || existing.StartsWith("io.k8s.apimachinery.", StringComparison.Ordinal))
                {
                    _byGvk[key] = name;
                }
            }
        }
    }

    /// <summary>All schemas by name.</summary>
    public IReadOnlyDictionary<string, JsonObject> Schemas => _schemas;

    /// <summary>The name of the schema tagged with this GVK, or null.</summary>
    public string? NameOf(string group, string version, string kind) =>
        _byGvk.GetValueOrDefault((group, version, kind));

    /// <summary>The resolved schema of a component name, or null when there is none.</summary>
    public SchemaNode? Named(string name) =>
        _nodes.GetOrAdd(name, n => _schemas.TryGetValue(n, out var s) ? new SchemaNode(this, s) : null);

    /// <summary>The resolved schema of a kind, or null when the kind has no schema.</summary>
    public SchemaNode? Kind(string group, string version, string kind) =>
        NameOf(group, version, kind) is { } name ? Named(name) : null;

    /// <inheritdoc />
    public IPatchSchema? ForKind(string group, string version, string kind) => Kind(group, version, kind);

    /// <summary>
    /// The names of <paramref name="roots"/> and every schema they reference, transitively, in ordinal order.
    /// </summary>
    public SortedSet<string> Closure(IEnumerable<string> roots)
    {
        var result = new SortedSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(roots.Where(_schemas.ContainsKey));
        while (stack.TryPop(out var name))
        {
            if (!result.Add(name))
            {
                continue;
            }

            CollectRefs(_schemas[name], stack);
        }

        return result;
    }

    private void CollectRefs(JsonNode? node, Stack<string> into)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    if (key == "$ref" && value is JsonValue v && v.GetValue<string>() is { } r
                        && r.StartsWith(RefPrefix, StringComparison.Ordinal) && _schemas.ContainsKey(r[RefPrefix.Length..]))
                    {
                        into.Push(r[RefPrefix.Length..]);
                    }
                    else if (key is not ("description" or "x-kubernetes-group-version-kind"))
                    {
                        CollectRefs(value, into);
                    }
                }

                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    CollectRefs(item, into);
                }

                break;
        }
    }
}
