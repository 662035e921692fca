using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Skiff.OpenApiGen;

/// <summary>
/// Builds upstream-shaped OpenAPI v3 component schemas for every type reachable from the served kinds, by
/// reflection over the KubernetesClient model classes: <c>[JsonPropertyName]</c> gives the fields, the property
/// types give the shapes (lists, maps, references, scalars), <c>[KubernetesEntity]</c> gives
/// <c>x-kubernetes-group-version-kind</c>, the package's XML docs give the descriptions. The models are newer than
/// Kubernetes 1.32, so for proto-backed types only the fields 1.32 has are kept (the proto facts list them).
/// Output is a pure function of its inputs (sorted, no clocks), so re-running it gives identical bytes.
/// </summary>
internal sealed class SchemaGenerator(Assembly models, XmlDocs docs, ProtoSchemaIndex proto)
{
    private const string RefPrefix = "#/components/schemas/";
    private readonly SchemaNamer _namer = new(proto);
    private readonly SortedDictionary<string, JsonObject> _schemas = new(StringComparer.Ordinal);
    private readonly Queue<(Type Type, string Name, ServedPackage Package)> _pending = new();
    private readonly Dictionary<string, Type> _queued = new(StringComparer.Ordinal);

    /// <summary>Names of C# properties dropped because Kubernetes 1.32 does not have them (for the report).</summary>
    public List<string> DroppedFields { get; } = [];

    /// <summary>Generates all schemas, sorted by name.</summary>
    public SortedDictionary<string, JsonObject> Generate()
    {
        var classes = models.GetTypes()
            .Where(t => t.Namespace == "k8s.Models" && t.IsClass && t.IsPublic && !t.IsAbstract && !t.IsGenericTypeDefinition)
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .ToList();

        // Roots: the kinds of the served group-versions, then every meta/v1 type (Status, DeleteOptions, …).
        foreach (var type in classes)
        {
            var entity = type.GetCustomAttribute<KubernetesEntityAttribute>();
            if (entity is null)
            {
                continue;
            }

            var resolved = _namer.Resolve(type, null);
            if (resolved is { } r && r.Package.Group == entity.Group && r.Package.Version == entity.ApiVersion)
            {
                Enqueue(type, r.Name, r.Package);
            }
        }

        foreach (var type in classes)
        {
            if (_namer.Resolve(type, null) is { } r && r.Package.Group is null)
            {
                Enqueue(type, r.Name, r.Package);
            }
        }

        while (_pending.TryDequeue(out var item))
        {
            _schemas[item.Name] = BuildObject(item.Type, item.Name, item.Package);
        }

        return _schemas;
    }

    private void Enqueue(Type type, string name, ServedPackage package)
    {
        if (WellKnownSchemas.Build(name) is { } wellKnown)
        {
            _schemas[name] = wellKnown;
            return;
        }

        if (_queued.TryGetValue(name, out var existing))
        {
            if (existing != type)
            {
                throw new InvalidOperationException($"{name}: both {existing.Name} and {type.Name} map to it");
            }

            return;
        }

        _queued[name] = type;
        _pending.Enqueue((type, name, package));
    }

    private string Reference(string wellKnownName)
    {
        _schemas[wellKnownName] = WellKnownSchemas.Build(wellKnownName)!;
        return RefPrefix + wellKnownName;
    }

    private JsonObject BuildObject(Type type, string name, ServedPackage package)
    {
        var protoName = package.ProtoPackage + "." + name[(package.Prefix.Length + 1)..];
        var modelFields = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name).OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var protoFields = _namer.IsProtoBacked(package) ? proto.JsonFields(protoName, modelFields) : null;
        var properties = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        var valueTypeRequired = new List<string>();
        foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var json = prop.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name;
            if (json is null)
            {
                continue;
            }

            string? protoType = null;
            // apiVersion and kind come from Go's inline TypeMeta, which has no proto field.
            if (protoFields is not null && !protoFields.TryGetValue(json, out protoType) && json is not ("apiVersion" or "kind"))
            {
                DroppedFields.Add($"{name}.{json}");
                continue;
            }

            var schema = PropertySchema(prop.PropertyType, protoType, name, json, package);
            var description = docs.ForProperty(type, prop.Name);
            if (description is not null)
            {
                schema["description"] = description;
            }

            if (PatchFacts.All.TryGetValue((name, json), out var facts))
            {
                ApplyFacts(schema, facts);
            }

            properties[json] = Sorted(schema);
            if (prop.PropertyType.IsValueType && Nullable.GetUnderlyingType(prop.PropertyType) is null)
            {
                valueTypeRequired.Add(json);
            }
        }

        var result = new JsonObject();
        if (docs.ForType(type) is { } typeDescription)
        {
            result["description"] = typeDescription;
        }

        var propsNode = new JsonObject();
        foreach (var (key, value) in properties)
        {
            propsNode[key] = value;
        }

        result["properties"] = propsNode;
        IReadOnlyList<string> required = RequiredFacts.All.TryGetValue(name, out var facted) ? facted : valueTypeRequired;
        required = required.Where(properties.ContainsKey).ToList();
        if (required.Count > 0)
        {
            result["required"] = new JsonArray(required.Select(r => (JsonNode?)JsonValue.Create(r)).ToArray());
        }

        result["type"] = "object";
        if (PatchFacts.All.TryGetValue((name, "."), out var own) && own.MapType is not null)
        {
            result["x-kubernetes-map-type"] = own.MapType;
        }

        if (GroupVersionKinds(type, package) is { Count: > 0 } gvks)
        {
            result["x-kubernetes-group-version-kind"] = gvks;
        }

        return result;
    }

    /// <summary>
    /// Kinds carry their own GVK. DeleteOptions and WatchEvent are registered in every group-version upstream, so
    /// they list all served ones (as upstream's per-group documents do).
    /// </summary>
    private static JsonArray? GroupVersionKinds(Type type, ServedPackage package)
    {
        var shortName = ModelName.Parse(type.Name)!.ShortName;
        if (package.Group is null && shortName is "DeleteOptions" or "WatchEvent")
        {
            var all = ServedPackages.All.Where(p => p.Group is not null)
                .OrderBy(p => p.Group, StringComparer.Ordinal).ThenBy(p => p.Version, StringComparer.Ordinal)
                .Select(p => (JsonNode?)Gvk(p.Group!, p.Version, shortName));
            return new JsonArray(all.ToArray());
        }

        var entity = type.GetCustomAttribute<KubernetesEntityAttribute>();
        if (entity is null)
        {
            return null;
        }

        var group = package.Group ?? entity.Group;
        return new JsonArray(Gvk(group, entity.ApiVersion, entity.Kind));
    }

    private static JsonObject Gvk(string group, string version, string kind) =>
        new() { ["group"] = group, ["kind"] = kind, ["version"] = version };

    private JsonObject PropertySchema(Type type, string? protoType, string owner, string json, ServedPackage package)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (type == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (type == typeof(int))
        {
            return new JsonObject { ["format"] = "int32", ["type"] = "integer" };
        }

        if (type == typeof(long))
        {
            return new JsonObject { ["format"] = "int64", ["type"] = "integer" };
        }

        if (type == typeof(double) || type == typeof(float))
        {
            return new JsonObject { ["format"] = "double", ["type"] = "number" };
        }

        if (type == typeof(byte[]))
        {
            return new JsonObject { ["format"] = "byte", ["type"] = "string" };
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            var micro = protoType?.EndsWith(".MicroTime", StringComparison.Ordinal) == true;
            return new JsonObject { ["$ref"] = Reference(micro ? WellKnownSchemas.MicroTime : WellKnownSchemas.Time) };
        }

        if (type == typeof(IntOrString))
        {
            return new JsonObject { ["$ref"] = Reference(WellKnownSchemas.IntOrString) };
        }

        if (type == typeof(ResourceQuantity))
        {
            return new JsonObject { ["$ref"] = Reference(WellKnownSchemas.Quantity) };
        }

        if (type.IsGenericType && type.GetGenericArguments() is [var element]
            && typeof(System.Collections.IEnumerable).IsAssignableFrom(type))
        {
            return new JsonObject { ["items"] = PropertySchema(element, protoType, owner, json, package), ["type"] = "array" };
        }

        if (type.IsGenericType && type.GetGenericArguments() is [var key, var value] && key == typeof(string))
        {
            return new JsonObject
            {
                ["additionalProperties"] = PropertySchema(value, protoType, owner, json, package),
                ["type"] = "object",
            };
        }

        if (type == typeof(object))
        {
            var wellKnown = protoType is not null ? ProtoSchemaIndex.ToSchemaName(protoType) : null;
            if (wellKnown is null || WellKnownSchemas.Build(wellKnown) is null)
            {
                var ownerShort = owner[(owner.LastIndexOf('.') + 1)..];
                wellKnown = WellKnownSchemas.ForUntypedApiExtensionsField(ownerShort, json)
                    ?? throw new InvalidOperationException($"{owner}.{json}: untyped field with no known schema (proto type {protoType})");
            }

            return new JsonObject { ["$ref"] = Reference(wellKnown) };
        }

        if (type.Namespace == "k8s.Models" && type.IsClass)
        {
            var resolved = _namer.Resolve(type, package)
                ?? throw new InvalidOperationException($"{owner}.{json}: cannot name {type.Name}");
            Enqueue(type, resolved.Name, resolved.Package);
            return new JsonObject { ["$ref"] = RefPrefix + resolved.Name };
        }

        throw new InvalidOperationException($"{owner}.{json}: unsupported property type {type}");
    }

    private static void ApplyFacts(JsonObject schema, FieldFacts facts)
    {
        if (facts.ListMapKeys is { } keys)
        {
            schema["x-kubernetes-list-map-keys"] = new JsonArray(keys.Select(k => (JsonNode?)JsonValue.Create(k)).ToArray());
        }

        if (facts.ListType is not null)
        {
            schema["x-kubernetes-list-type"] = facts.ListType;
        }

        if (facts.MapType is not null)
        {
            schema["x-kubernetes-map-type"] = facts.MapType;
        }

        if (facts.PatchMergeKey is not null)
        {
            schema["x-kubernetes-patch-merge-key"] = facts.PatchMergeKey;
        }

        if (facts.PatchStrategy is not null)
        {
            schema["x-kubernetes-patch-strategy"] = facts.PatchStrategy;
        }
    }

    /// <summary>Re-creates an object with its keys in ordinal order (upstream's documents are key-sorted).</summary>
    private static JsonObject Sorted(JsonObject o)
    {
        var result = new JsonObject();
        foreach (var (key, value) in o.OrderBy(p => p.Key, StringComparer.Ordinal).ToList())
        {
            o.Remove(key);
            result[key] = value;
        }

        return result;
    }
}
