using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Patch;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// The OpenAPI of the live resource set: serves <c>/openapi/v3</c> (<see cref="IOpenApiSource"/>) and
/// <c>/openapi/v2</c> (<see cref="IOpenApiV2Source"/>), gives
/// strategic-merge schemas (<see cref="ISchemaProvider"/>) and finds unknown fields for <c>fieldValidation</c>.
/// Built from the resource descriptors plus the built-in schemas (<see cref="BuiltInSchemas"/>) and CRD schemas;
/// <see cref="Update"/> swaps in a new resource set atomically (CRDs added or removed). Documents are built on first
/// request and cached until the next update. Thread-safe.
/// </summary>
public sealed class OpenApiService : IOpenApiSource, IOpenApiV2Source, ISchemaProvider
{
    private const string Meta = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    private volatile State _state;

    /// <summary>Creates the service over <paramref name="resources"/> and optional CRD schemas.</summary>
    public OpenApiService(IReadOnlyList<ResourceDescriptor> resources, IReadOnlyList<CustomResourceSchema>? customResources = null)
    {
        _state = new State(resources, customResources ?? []);
    }

    /// <summary>The schemas currently served.</summary>
    public SchemaSet Schemas => _state.Schemas;

    /// <summary>Replaces the resource set (for example after a CRD is established or deleted).</summary>
    public void Update(IReadOnlyList<ResourceDescriptor> resources, IReadOnlyList<CustomResourceSchema>? customResources = null) =>
        _state = new State(resources, customResources ?? []);

    /// <inheritdoc />
    public OpenApiDocument Root() => _state.Root.Value;

    /// <inheritdoc />
    public OpenApiV2Document V2() => _state.V2.Value;

    /// <summary>
    /// Builds the v3 documents now (the root names each document's hash, so it builds them all) on a pool thread, so
    /// the first kubectl apply/create/edit after start-up does not wait 0.5–1 s for them. The v2 document (only
    /// kubectl's client-side validation of <c>kind: List</c> files asks for it) stays lazy: building it early costs
    /// ~11 MB of resident memory for 0.1–0.3 s saved once. Safe to race with requests: documents are built once.
    /// </summary>
    public Task WarmAsync(CancellationToken ct) => Task.Run(() => { _ = Root(); }, ct);

    /// <inheritdoc />
    public OpenApiDocument? Document(string path) => _state.Document(path);

    /// <inheritdoc />
    public IPatchSchema? ForKind(string group, string version, string kind) => _state.Schemas.Kind(group, version, kind);

    /// <summary>
    /// The unknown fields of <paramref name="obj"/> as the kind's schema sees them (<c>.spec.foo</c>; see
    /// <see cref="UnknownFieldDetector"/>). A kind without schema has none.
    /// </summary>
    public IReadOnlyList<string> FindUnknownFields(string group, string version, string kind, JsonObject obj)
    {
        var set = _state.Schemas;
        return set.Kind(group, version, kind) is { } schema
            ? UnknownFieldDetector.Find(schema, obj, set.Named(Meta + "ObjectMeta"))
            : [];
    }

    /// <summary>
    /// The first field of <paramref name="obj"/> whose JSON type the kind's schema refuses, in Go's words (see
    /// <see cref="FieldTypeChecker"/>); a kind without schema has only its <c>metadata</c> checked. Null when none.
    /// </summary>
    public string? FindFirstTypeError(string group, string version, string kind, JsonObject obj)
    {
        // A custom resource is decoded as unstructured JSON: its schema's type errors are the schema validation's
        // 422 (CustomResourceStrategy), not a 400 from decoding; only metadata is typed.
        var state = _state;
        var set = state.Schemas;
        if (!state.IsCustomKind(new CustomResourceSchema(group, version, kind, null).SchemaName))
        {
            return FieldTypeChecker.FindFirst(set.Kind(group, version, kind), obj, set.Named(Meta + "ObjectMeta"));
        }

        foreach (var field in (ReadOnlySpan<string>)["apiVersion", "kind"])
        {
            if (obj[field] is { } value && value.GetValueKind() is not (JsonValueKind.String or JsonValueKind.Null))
            {
                return $"json: cannot unmarshal {GoJsonType(value.GetValueKind())} into Go struct field TypeMeta.{field} of type string";
            }
        }

        return FieldTypeChecker.FindFirst(null, obj, set.Named(Meta + "ObjectMeta"));
    }

    private static string GoJsonType(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "string",
    };

    private sealed class State
    {
        private readonly Dictionary<string, (string Group, string Version, List<ResourceDescriptor> Resources)> _groupVersions;
        private readonly ConcurrentDictionary<string, OpenApiDocument> _documents = new(StringComparer.Ordinal);
        private readonly HashSet<string> _customKinds = new(StringComparer.Ordinal);
        private readonly HashSet<string> _customLists = new(StringComparer.Ordinal);

        public State(IReadOnlyList<ResourceDescriptor> resources, IReadOnlyList<CustomResourceSchema> custom)
        {
            var schemas = new Dictionary<string, JsonObject>(BuiltInSchemas.All, StringComparer.Ordinal);
            var declared = custom.ToList();
            var builtIn = BuiltIns.Value;
            foreach (var r in resources)
            {
                var known = declared.Any(c => c.Group == r.Group && c.Version == r.Version && c.Kind == r.Kind);
                if (!known && builtIn.NameOf(r.Group, r.Version, r.Kind) is null)
                {
                    declared.Add(new CustomResourceSchema(r.Group, r.Version, r.Kind, null));
                }
            }

            foreach (var c in declared)
            {
                var plural = resources.FirstOrDefault(r => r.Group == c.Group && r.Version == c.Version && r.Kind == c.Kind)?.Resource
                    ?? c.Kind.ToLowerInvariant() + "s";
                schemas[c.SchemaName] = CustomKind(c);
                schemas[c.SchemaName + "List"] = CustomList(c, plural);
                _customKinds.Add(c.SchemaName);
                _customLists.Add(c.SchemaName + "List");
            }

            Schemas = new SchemaSet(schemas);
            _groupVersions = resources
                .GroupBy(r => OpenApiDocumentBuilder.DocumentPath(r.Group, r.Version), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => (g.First().Group, g.First().Version, g.ToList()), StringComparer.Ordinal);
            Root = new Lazy<OpenApiDocument>(BuildRoot);
            V2 = new Lazy<OpenApiV2Document>(() => SwaggerDocumentBuilder.Build(
                _groupVersions.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => (g.Value.Group, g.Value.Version, (IReadOnlyList<ResourceDescriptor>)g.Value.Resources)),
                Schemas, _customKinds, _customLists));
        }

        public SchemaSet Schemas { get; }

        public bool IsCustomKind(string schemaName) => _customKinds.Contains(schemaName);

        public Lazy<OpenApiDocument> Root { get; }

        public Lazy<OpenApiV2Document> V2 { get; }

        public OpenApiDocument? Document(string path) =>
            _groupVersions.TryGetValue(path, out var gv)
                ? _documents.GetOrAdd(path, _ => Serialize(OpenApiDocumentBuilder.Build(gv.Group, gv.Version, gv.Resources, Schemas)))
                : null;

        private static Lazy<SchemaSet> BuiltIns { get; } = new(() => new SchemaSet(BuiltInSchemas.All));

        private OpenApiDocument BuildRoot()
        {
            var paths = new JsonObject();
            foreach (var path in _groupVersions.Keys.Order(StringComparer.Ordinal))
            {
                paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={Document(path)!.Hash}" };
            }

            return Serialize(new JsonObject { ["paths"] = paths });
        }

        private static OpenApiDocument Serialize(JsonObject doc) => OpenApiDocument.From(JsonSerializer.SerializeToUtf8Bytes(doc));

        /// <summary>A property of a built-in schema (a copy): TypeMeta's fields and the list metadata from Status, ObjectMeta's from Pod.</summary>
        private static JsonObject BuiltInProperty(string schema, string property) =>
            BuiltInSchemas.All[schema]["properties"]![property]!.DeepClone().AsObject();

        private static JsonObject CustomKind(CustomResourceSchema c)
        {
            var schema = c.Schema?.DeepClone().AsObject()
                ?? new JsonObject { ["type"] = "object", ["x-kubernetes-preserve-unknown-fields"] = true };
            schema["type"] ??= "object";
            var props = schema["properties"] as JsonObject ?? [];

            // As upstream's CRD builder (buildKubeNative): TypeMeta's and ObjectMeta's own schemas replace the CRD's.
            props["apiVersion"] = BuiltInProperty(Meta + "Status", "apiVersion");
            props["kind"] = BuiltInProperty(Meta + "Status", "kind");
            props["metadata"] = BuiltInProperty("io.k8s.api.core.v1.Pod", "metadata");
            if (schema["properties"] is null)
            {
                schema["properties"] = props;
            }

            schema["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = c.Group, ["kind"] = c.Kind, ["version"] = c.Version });
            return schema;
        }

        /// <summary>The list kind's schema, as upstream's <c>buildListSchema</c>: TypeMeta, ListMeta and the items.</summary>
        private static JsonObject CustomList(CustomResourceSchema c, string plural) => new()
        {
            ["description"] = $"{c.Kind}List is a list of {c.Kind}",
            ["properties"] = new JsonObject
            {
                ["apiVersion"] = BuiltInProperty(Meta + "Status", "apiVersion"),
                ["items"] = new JsonObject
                {
                    ["description"] = $"List of {plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md",
                    ["items"] = new JsonObject { ["$ref"] = SchemaSet.RefPrefix + c.SchemaName },
                    ["type"] = "array",
                },
                ["kind"] = BuiltInProperty(Meta + "Status", "kind"),
                ["metadata"] = BuiltInProperty(Meta + "Status", "metadata"),
            },
            ["required"] = new JsonArray("items"),
            ["type"] = "object",
            ["x-kubernetes-group-version-kind"] = new JsonArray(new JsonObject { ["group"] = c.Group, ["kind"] = c.Kind + "List", ["version"] = c.Version }),
        };
    }
}
