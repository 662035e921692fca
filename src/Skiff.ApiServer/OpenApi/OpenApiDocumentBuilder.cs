using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry;

namespace Skiff.ApiServer.OpenApi;

/// <summary>
/// Builds upstream's per-group-version OpenAPI 3.0 document (<c>/openapi/v3/apis/apps/v1</c>): one path per resource
/// collection, item, all-namespaces list and subresource, each operation carrying <c>operationId</c>,
/// <c>x-kubernetes-action</c>, <c>x-kubernetes-group-version-kind</c> and upstream's parameters (writes have
/// <c>dryRun</c>, <c>fieldManager</c>, <c>fieldValidation</c>; PATCH accepts the four patch content types), and
/// <c>components.schemas</c> holding every schema those operations reference, transitively. kubectl needs exactly
/// this: a PATCH per kind listing <c>fieldValidation</c> (so it skips client-side validation), the kind's schema
/// tagged with its GVK (<c>explain</c>, SMP merge keys for client-side <c>apply</c>).
/// </summary>
public static class OpenApiDocumentBuilder
{
    private const string Meta = "io.k8s.apimachinery.pkg.apis.meta.v1.";

    /// <summary>The document path of a group-version: <c>api/v1</c> or <c>apis/&lt;group&gt;/&lt;version&gt;</c>.</summary>
    public static string DocumentPath(string group, string version) =>
        group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";

    /// <summary>Builds the document of one group-version from its resources (all of that group and version).</summary>
    public static JsonObject Build(string group, string version, IEnumerable<ResourceDescriptor> resources, SchemaSet schemas) =>
        Build(group, version, resources, schemas, components: true);

    /// <summary>
    /// Builds the document of one group-version; without <paramref name="components"/> the document has no
    /// <c>components</c> (for callers that only need the paths, such as the Swagger 2.0 document).
    /// </summary>
    public static JsonObject Build(string group, string version, IEnumerable<ResourceDescriptor> resources, SchemaSet schemas, bool components)
    {
        var prefix = "/" + DocumentPath(group, version);
        var tag = Tag(group, version);
        var opPrefix = OperationPrefix(group, version);
        var paths = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        var roots = new List<string> { Meta + "APIResourceList", Meta + "DeleteOptions", Meta + "Patch", Meta + "Status" };

        paths[prefix + "/"] = new JsonObject
        {
            ["get"] = new JsonObject
            {
                ["description"] = "get available resources",
                ["operationId"] = "get" + opPrefix + "APIResources",
                ["responses"] = Responses(true, true, Ref(Meta + "APIResourceList"), watch: false, "200"),
                ["tags"] = new JsonArray(tag),
            },
        };

        foreach (var r in resources.OrderBy(r => r.Resource, StringComparer.Ordinal))
        {
            var kindSchema = schemas.NameOf(r.Group, r.Version, r.Kind);
            var listSchema = schemas.NameOf(r.Group, r.Version, r.ListKind);
            roots.AddRange(new[] { kindSchema, listSchema }.OfType<string>());
            var ctx = new Context(r, opPrefix, tag, r.Namespaced ? "Namespaced" + r.Kind : r.Kind);
            var collection = r.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{r.Resource}" : $"{prefix}/{r.Resource}";
            var verbs = r.Verbs.ToHashSet(StringComparer.Ordinal);

            var coll = new JsonObject();
            if (verbs.Contains("deletecollection"))
            {
                coll["delete"] = Op(ctx with { Suffix = "Collection" + ctx.Suffix }, "delete collection of " + r.Kind, "delete", "deletecollection",
                    OpenApiParameters.DeleteCollection(), Body(ctx.BuiltIn, Ref(Meta + "DeleteOptions")), Responses(ctx.BuiltIn, ctx.Protobuf, Ref(Meta + "Status"), false, "200"), ctx.Gvk);
            }

            if (verbs.Contains("list"))
            {
                coll["get"] = Op(ctx, $"list or watch objects of kind {r.Kind}", "list", "list",
                    OpenApiParameters.List(), null, Responses(ctx.BuiltIn, ctx.Protobuf, Ref(listSchema), true, "200"), ctx.Gvk);
            }

            if (verbs.Contains("create"))
            {
                coll["post"] = Op(ctx, "create " + Article(r.Kind), "create", "post",
                    OpenApiParameters.Create(), Body(ctx.BuiltIn, Ref(kindSchema)), Responses(ctx.BuiltIn, ctx.Protobuf, Ref(kindSchema), false, "200", "201", "202"), ctx.Gvk);
            }

            AddPath(paths, collection, coll, r.Namespaced, named: false);

            var item = new JsonObject();
            if (verbs.Contains("delete"))
            {
                item["delete"] = Op(ctx, "delete " + Article(r.Kind), "delete", "delete",
                    OpenApiParameters.Delete(), Body(ctx.BuiltIn, Ref(Meta + "DeleteOptions")), Responses(ctx.BuiltIn, ctx.Protobuf, Ref(Meta + "Status"), false, "200", "202"), ctx.Gvk);
            }

            if (verbs.Contains("get"))
            {
                item["get"] = Op(ctx, "read the specified " + r.Kind, "read", "get", [], null, Responses(ctx.BuiltIn, ctx.Protobuf, Ref(kindSchema), false, "200"), ctx.Gvk);
            }

            if (verbs.Contains("patch"))
            {
                item["patch"] = Op(ctx, "partially update the specified " + r.Kind, "patch", "patch",
                    OpenApiParameters.Patch(), PatchBody(ctx.BuiltIn), Responses(ctx.BuiltIn, ctx.Protobuf, Ref(kindSchema), false, "200", "201"), ctx.Gvk);
            }

            if (verbs.Contains("update"))
            {
                item["put"] = Op(ctx, "replace the specified " + r.Kind, "replace", "put",
                    OpenApiParameters.Replace(), Body(ctx.BuiltIn, Ref(kindSchema)), Responses(ctx.BuiltIn, ctx.Protobuf, Ref(kindSchema), false, "200", "201"), ctx.Gvk);
            }

            AddPath(paths, collection + "/{name}", item, r.Namespaced, named: true);

            if (r.Namespaced && verbs.Contains("list"))
            {
                var all = new JsonObject
                {
                    ["get"] = Op(ctx with { Suffix = r.Kind + "ForAllNamespaces" }, $"list or watch objects of kind {r.Kind}", "list", "list",
                        OpenApiParameters.List(), null, Responses(ctx.BuiltIn, ctx.Protobuf, Ref(listSchema), true, "200"), ctx.Gvk),
                };
                AddPath(paths, $"{prefix}/{r.Resource}", all, namespaced: false, named: false);
            }

            foreach (var sub in r.Subresources)
            {
                AddSubresource(paths, schemas, roots, ctx, collection + "/{name}/" + sub.Name, sub);
            }
        }

        var componentSchemas = new JsonObject();
        foreach (var name in components ? schemas.Closure(roots) : [])
        {
            componentSchemas[name] = schemas.Schemas[name].DeepClone();
        }

        var pathsNode = new JsonObject();
        foreach (var (path, node) in paths)
        {
            pathsNode[path] = node;
        }

        var doc = new JsonObject();
        if (components)
        {
            doc["components"] = new JsonObject { ["schemas"] = componentSchemas };
        }

        doc["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.32.0" };
        doc["openapi"] = "3.0.0";
        doc["paths"] = pathsNode;
        return doc;
    }

    private static void AddSubresource(SortedDictionary<string, JsonObject> paths, SchemaSet schemas, List<string> roots,
        Context parent, string path, SubresourceDescriptor sub)
    {
        var verbs = sub.Verbs.ToHashSet(StringComparer.Ordinal);
        var ctx = parent with { Suffix = parent.Suffix + Pascal(sub.Name) };
        var gvk = sub.Kind.Length > 0 ? Gvk(sub.Group, sub.Version, sub.Kind) : null;
        var schema = sub.Kind.Length > 0 ? schemas.NameOf(sub.Group, sub.Version, sub.Kind) : null;
        if (schema is not null)
        {
            roots.Add(schema);
        }

        var node = new JsonObject();
        if (sub.Name is "exec" or "attach" or "portforward" or "proxy")
        {
            var ok = new JsonObject { ["200"] = new JsonObject { ["content"] = new JsonObject { ["*/*"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } } }, ["description"] = "OK" } };
            node["get"] = Op(ctx with { Verb = "connectGet" }, $"connect GET requests to {sub.Name} of {parent.Resource.Kind}", "connectGet", "connect", [], null, ok.DeepClone().AsObject(), gvk?.DeepClone().AsObject());
            node["post"] = Op(ctx with { Verb = "connectPost" }, $"connect POST requests to {sub.Name} of {parent.Resource.Kind}", "connectPost", "connect", [], null, ok, gvk);
            AddPath(paths, path, node, parent.Resource.Namespaced, named: true);
            return;
        }

        if (sub.Name == "log")
        {
            var text = new JsonObject { ["200"] = new JsonObject { ["content"] = new JsonObject { ["text/plain"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "string" } } }, ["description"] = "OK" } };
            node["get"] = Op(ctx, $"read log of the specified {parent.Resource.Kind}", "read", "get", [], null, text, gvk);
            AddPath(paths, path, node, parent.Resource.Namespaced, named: true);
            return;
        }

        if (verbs.Contains("get"))
        {
            node["get"] = Op(ctx, $"read {sub.Name} of the specified {parent.Resource.Kind}", "read", "get", [], null, Responses(ctx.BuiltIn, ctx.Protobuf, Ref(schema), false, "200"), gvk?.DeepClone().AsObject());
        }

        if (verbs.Contains("patch"))
        {
            node["patch"] = Op(ctx, $"partially update {sub.Name} of the specified {parent.Resource.Kind}", "patch", "patch",
                OpenApiParameters.Patch(), PatchBody(ctx.BuiltIn), Responses(ctx.BuiltIn, ctx.Protobuf, Ref(schema), false, "200", "201"), gvk?.DeepClone().AsObject());
        }

        if (verbs.Contains("create"))
        {
            node["post"] = Op(ctx, $"create {sub.Name} of {Article(parent.Resource.Kind)}", "create", "post",
                OpenApiParameters.Create(), Body(ctx.BuiltIn, Ref(schema)), Responses(ctx.BuiltIn, ctx.Protobuf, Ref(schema), false, "200", "201", "202"), gvk?.DeepClone().AsObject());
        }

        if (verbs.Contains("update"))
        {
            node["put"] = Op(ctx, $"replace {sub.Name} of the specified {parent.Resource.Kind}", "replace", "put",
                OpenApiParameters.Replace(), Body(ctx.BuiltIn, Ref(schema)), Responses(ctx.BuiltIn, ctx.Protobuf, Ref(schema), false, "200", "201"), gvk?.DeepClone().AsObject());
        }

        AddPath(paths, path, node, parent.Resource.Namespaced, named: true);
    }

    private static void AddPath(SortedDictionary<string, JsonObject> paths, string path, JsonObject ops, bool namespaced, bool named)
    {
        if (ops.Count == 0)
        {
            return;
        }

        ops["parameters"] = OpenApiParameters.PathLevel(namespaced, named);
        var sorted = new JsonObject();
        foreach (var key in ops.Select(p => p.Key).Order(StringComparer.Ordinal).ToList())
        {
            var value = ops[key];
            ops.Remove(key);
            sorted[key] = value;
        }

        paths[path] = sorted;
    }

    private static JsonObject Op(Context ctx, string description, string verb, string action, JsonArray parameters,
        JsonObject? body, JsonObject responses, JsonObject? gvk)
    {
        var op = new JsonObject
        {
            ["description"] = description,
            ["operationId"] = (ctx.Verb ?? verb) + ctx.OperationPrefix + ctx.Suffix,
        };
        if (parameters.Count > 0)
        {
            op["parameters"] = parameters;
        }

        if (body is not null)
        {
            op["requestBody"] = body;
        }

        op["responses"] = responses;
        op["tags"] = new JsonArray(ctx.Tag);
        op["x-kubernetes-action"] = action;
        if (gvk is not null)
        {
            op["x-kubernetes-group-version-kind"] = gvk;
        }

        return op;
    }

    private static JsonObject Body(bool builtIn, JsonObject schema)
    {
        var content = new JsonObject();
        foreach (var type in builtIn ? ["*/*"] : new[] { "application/json", "application/yaml" })
        {
            content[type] = new JsonObject { ["schema"] = schema.DeepClone() };
        }

        return new JsonObject { ["content"] = content, ["required"] = true };
    }

    private static JsonObject PatchBody(bool builtIn)
    {
        var content = new JsonObject();
        foreach (var type in builtIn
            ? ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json"]
            : new[] { "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json" })
        {
            content[type] = new JsonObject { ["schema"] = Ref(Meta + "Patch") };
        }

        return new JsonObject { ["content"] = content, ["required"] = true };
    }

    private static JsonObject Responses(bool builtIn, bool protobuf, JsonObject schema, bool watch, params string[] codes)
    {
        watch &= builtIn;
        var responses = new JsonObject();
        foreach (var code in codes)
        {
            var content = new JsonObject
            {
                ["application/json"] = new JsonObject { ["schema"] = schema.DeepClone() },
            };
            if (watch)
            {
                content["application/json;stream=watch"] = new JsonObject { ["schema"] = schema.DeepClone() };
            }

            if (protobuf)
            {
                content["application/vnd.kubernetes.protobuf"] = new JsonObject { ["schema"] = schema.DeepClone() };
            }

            if (watch && protobuf)
            {
                content["application/vnd.kubernetes.protobuf;stream=watch"] = new JsonObject { ["schema"] = schema.DeepClone() };
            }

            content["application/yaml"] = new JsonObject { ["schema"] = schema.DeepClone() };
            responses[code] = new JsonObject
            {
                ["content"] = content,
                ["description"] = code switch { "201" => "Created", "202" => "Accepted", _ => "OK" },
            };
        }

        return responses;
    }

    private static JsonObject Ref(string? schemaName) =>
        schemaName is null ? new JsonObject { ["type"] = "object" } : new JsonObject { ["$ref"] = SchemaSet.RefPrefix + schemaName };

    private static JsonObject Gvk(string group, string version, string kind) =>
        new() { ["group"] = group, ["kind"] = kind, ["version"] = version };

    private static string Tag(string group, string version) =>
        (group.Length == 0 ? "core" : Camel(group)) + "_" + version;

    /// <summary>Upstream's operation-id infix: <c>CoreV1</c>, <c>AppsV1</c>, <c>RbacAuthorizationV1</c>.</summary>
    private static string OperationPrefix(string group, string version) =>
        (group.Length == 0 ? "Core" : Pascal(Camel(group))) + Pascal(version);

    private static string Camel(string group)
    {
        var parts = group.Replace(".k8s.io", "", StringComparison.Ordinal).Split('.', '-');
        return parts[0] + string.Concat(parts.Skip(1).Select(Pascal));
    }

    private static string Pascal(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Article(string kind) => ("AEIOU".Contains(kind[0], StringComparison.Ordinal) ? "an " : "a ") + kind;

    private sealed record Context(ResourceDescriptor Resource, string OperationPrefix, string Tag, string Suffix)
    {
        public string? Verb { get; init; }

        public JsonObject Gvk => OpenApiDocumentBuilder.Gvk(Resource.Group, Resource.Version, Resource.Kind);

        /// <summary>A kind with a Go type upstream; custom resources are JSON and YAML only, as upstream's CRD OpenAPI
        /// builder declares them (no protobuf, no watch stream types, no strategic merge patch).</summary>
        public bool BuiltIn => !Resource.Custom;

        /// <summary>Served in protobuf (see Skiff.Api.Protobuf): built-in kinds of the 1.32 protobuf schema.</summary>
        public bool Protobuf { get; } = !Resource.Custom && Skiff.Api.Protobuf.ProtobufCodec.CanEncode(Resource.GroupVersion, Resource.Kind);
    }
}
