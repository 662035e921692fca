using System.Text;
using System.Text.Json.Nodes;
using Antlr4.Runtime;
using Antlr4.Runtime.Tree;
using Skiff.ApiServer.CustomResources.Cel;
using Skiff.ApiServer.OpenApi;
using Skiff.ApiServer.Registry;
using CelParser = global::Cel.Internal.CelParser;

namespace Skiff.ApiServer.Admission.Policy;

/// <summary>
/// Upstream's ValidatingAdmissionPolicy type checking (<c>policy/validating/typechecking.go</c>), reduced to what
/// the <c>Cel</c> package allows without a CEL type checker: for each built-in kind the policy's
/// <c>matchConstraints.resourceRules</c> name exactly (no wildcard group, version or resource, no subresource —
/// as upstream's <c>typesToCheck</c>), every <c>validations[i].expression</c> and <c>messageExpression</c> is
/// parsed and each field selection chain on <c>object</c>, <c>oldObject</c> and <c>params</c> (the paramKind's
/// schema) is walked through the kind's OpenAPI schema; a field the schema does not have is reported as cel-go's
/// checker does (<c>ERROR: &lt;input&gt;:1:7: undefined field 'replicas'</c> with the source line and caret),
/// prefixed by the kind, in upstream's <c>ExpressionWarning</c> shape. Not checked: value types and overloads
/// (e.g. comparing a string to an int), fields reached through comprehension variables or <c>variables</c>,
/// custom resources (only built-in schemas are known here).
/// </summary>
public static class PolicyTypeChecker
{
    private static readonly Lazy<ResourceRegistry> BuiltIns = new(() => new ResourceRegistry(BuiltInResources.Create(new BuiltInResourceOptions())));

    private static readonly Lazy<Dictionary<(string Group, string Version, string Kind), JsonObject>> SchemasByKind = new(IndexSchemas);

    /// <summary>The expression warnings of <paramref name="policy"/> (upstream's <c>TypeChecker.Check</c>), in field order.</summary>
    public static IReadOnlyList<(string FieldRef, string Warning)> Check(JsonObject policy)
    {
        var spec = JsonPath.Obj(policy, "spec");
        var kinds = KindsToCheck(spec);
        if (kinds.Count == 0)
        {
            return [];
        }

        JsonObject? paramSchema = null;
        if (JsonPath.Obj(spec, "paramKind") is { } pk)
        {
            var apiVersion = JsonPath.Str(pk, "apiVersion") ?? "";
            var slash = apiVersion.IndexOf('/', StringComparison.Ordinal);
            var (g, v) = slash < 0 ? ("", apiVersion) : (apiVersion[..slash], apiVersion[(slash + 1)..]);
            SchemasByKind.Value.TryGetValue((g, v, JsonPath.Str(pk, "kind") ?? ""), out paramSchema);
        }

        var warnings = new List<(string, string)>();
        var validations = JsonPath.Objects(spec, "validations").ToList();
        for (var i = 0; i < validations.Count; i++)
        {
            foreach (var field in new[] { "expression", "messageExpression" })
            {
                if (JsonPath.Str(validations[i], field) is not { Length: > 0 } expression)
                {
                    continue;
                }

                var results = kinds
                    .Select(k => (Kind: k.Key, Issues: Issues(expression, k.Value, paramSchema)))
                    .Where(r => r.Issues.Length > 0)
                    .Select(r => $"{GoGvk(r.Kind)}: {r.Issues}\n")
                    .ToList();
                if (results.Count > 0)
                {
                    warnings.Add(($"spec.validations[{i}].{field}", string.Join("\n", results)));
                }
            }
        }

        return warnings;
    }

    /// <summary>The issues of one expression against one kind's schema, cel-go's error display joined by newlines ("" when none).</summary>
    internal static string Issues(string expression, JsonObject schema, JsonObject? paramSchema)
    {
        if (CelRuleCompiler.TryParse(expression, out var error) is not { } tree)
        {
            return error ?? "";
        }

        var roots = new Dictionary<string, JsonObject>(StringComparer.Ordinal) { ["object"] = schema, ["oldObject"] = schema };
        if (paramSchema is not null)
        {
            roots["params"] = paramSchema;
        }

        var issues = new List<string>();
        Walk(tree, expression, roots, issues);
        return string.Join("\n", issues);
    }

    private static void Walk(IParseTree node, string source, Dictionary<string, JsonObject> roots, List<string> issues)
    {
        // A selection chain is checked from its outermost select; its inner members are not walked again.
        if (node is CelParser.SelectContext or CelParser.IndexContext && node.Parent is not (CelParser.SelectContext or CelParser.IndexContext))
        {
            CheckChain((CelParser.MemberContext)node, source, roots, issues);
        }

        for (var i = 0; i < node.ChildCount; i++)
        {
            Walk(node.GetChild(i), source, roots, issues);
        }
    }

    private static void CheckChain(CelParser.MemberContext outer, string source, Dictionary<string, JsonObject> roots, List<string> issues)
    {
        // Unwind to the root identifier: object.spec.containers[0].image → object, [spec, containers, [], image].
        var steps = new List<(string? Field, IToken Op)>();
        var m = outer;
        while (true)
        {
            switch (m)
            {
                case CelParser.SelectContext s when s.id is not null && s.opt is null:
                    steps.Add((s.id.Text, s.op));
                    m = s.member();
                    continue;
                case CelParser.IndexContext x when x.opt is null:
                    steps.Add((null, x.op));
                    m = x.member();
                    continue;
            }

            break;
        }

        if (m is not CelParser.PrimaryExprContext { } p || p.primary() is not CelParser.IdentOrGlobalCallContext { op: null, leadingDot: null } ident
            || !roots.TryGetValue(ident.id.Text, out var schema))
        {
            return;
        }

        steps.Reverse();
        var current = Resolve(schema);
        foreach (var (field, op) in steps)
        {
            if (current is null)
            {
                return;
            }

            if (field is null)
            {
                current = Resolve(JsonPath.Obj(current, "items") ?? JsonPath.Obj(current, "additionalProperties"));
                continue;
            }

            if (JsonPath.Obj(current, "properties") is { } props)
            {
                if (props[field] is JsonObject child)
                {
                    current = Resolve(child);
                    continue;
                }

                if (JsonPath.Bool(current, "x-kubernetes-preserve-unknown-fields") != true)
                {
                    issues.Add(Display(source, op, $"undefined field '{field}'"));
                }

                return;
            }

            // A map (additionalProperties) selects its values; an object without properties is untyped.
            current = Resolve(JsonPath.Obj(current, "additionalProperties"));
        }
    }

    /// <summary>cel-go's <c>Error.ToDisplayString</c>: position (1-based column), message, the source line and a caret.</summary>
    private static string Display(string source, IToken at, string message)
    {
        var lines = source.Split('\n');
        var line = at.Line >= 1 && at.Line <= lines.Length ? lines[at.Line - 1].Replace('\t', ' ') : "";
        var sb = new StringBuilder();
        sb.Append("ERROR: <input>:").Append(at.Line).Append(':').Append(at.Column + 1).Append(": ").Append(message);
        sb.Append("\n | ").Append(line).Append("\n | ").Append('.', Math.Min(at.Column, line.Length)).Append('^');
        return sb.ToString();
    }

    /// <summary>The schema a node stands for: itself, or what its <c>$ref</c> (possibly under <c>allOf</c>) names.</summary>
    private static JsonObject? Resolve(JsonObject? schema)
    {
        for (var depth = 0; schema is not null && depth < 8; depth++)
        {
            var reference = JsonPath.Str(schema, "$ref") ?? JsonPath.Objects(schema, "allOf").Select(a => JsonPath.Str(a, "$ref")).FirstOrDefault(r => r is not null);
            if (reference is null)
            {
                return schema;
            }

            schema = BuiltInSchemas.All.GetValueOrDefault(reference[(reference.LastIndexOf('/') + 1)..]);
        }

        return schema;
    }

    /// <summary>Upstream's <c>typesToCheck</c>: the built-in kinds the resource rules name exactly, sorted by group, version, kind.</summary>
    private static SortedDictionary<(string Group, string Version, string Kind), JsonObject> KindsToCheck(JsonObject? spec)
    {
        var kinds = new SortedDictionary<(string, string, string), JsonObject>(Comparer<(string, string, string)>.Create((a, b) =>
            string.CompareOrdinal(a.Item1, b.Item1) is var g and not 0 ? g
            : string.CompareOrdinal(a.Item2, b.Item2) is var v and not 0 ? v
            : string.CompareOrdinal(a.Item3, b.Item3)));
        foreach (var rule in JsonPath.Objects(spec, "matchConstraints", "resourceRules"))
        {
            var groups = Strings(rule, "apiGroups");
            var versions = Strings(rule, "apiVersions");
            if (groups.Any(x => x.Contains('*', StringComparison.Ordinal)) || versions.Any(x => x.Contains('*', StringComparison.Ordinal)))
            {
                continue;
            }

            foreach (var resource in Strings(rule, "resources").Where(r => !r.Contains('*', StringComparison.Ordinal) && !r.Contains('/', StringComparison.Ordinal)))
            {
                foreach (var (group, version) in groups.SelectMany(g => versions.Select(v => (g, v))))
                {
                    if (BuiltIns.Value.Find(group, version, resource) is { } d && SchemasByKind.Value.TryGetValue((group, version, d.Kind), out var schema))
                    {
                        kinds[(group, version, d.Kind)] = schema;
                    }
                }
            }
        }

        return kinds;
    }

    private static List<string> Strings(JsonObject rule, string key) => JsonPath.Arr(rule, key)?.Select(JsonPath.AsString).OfType<string>().ToList() ?? [];

    private static string GoGvk((string Group, string Version, string Kind) k) =>
        k.Group.Length == 0 ? $"/{k.Version}, Kind={k.Kind}" : $"{k.Group}/{k.Version}, Kind={k.Kind}";

    private static Dictionary<(string, string, string), JsonObject> IndexSchemas()
    {
        var index = new Dictionary<(string, string, string), JsonObject>();
        foreach (var schema in BuiltInSchemas.All.Values)
        {
            foreach (var gvk in JsonPath.Objects(schema, "x-kubernetes-group-version-kind"))
            {
                index.TryAdd((JsonPath.Str(gvk, "group") ?? "", JsonPath.Str(gvk, "version") ?? "", JsonPath.Str(gvk, "kind") ?? ""), schema);
            }
        }

        return index;
    }
}
