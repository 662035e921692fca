using global::Cel;
using Skiff.ApiServer.CustomResources.Schema;

namespace Skiff.ApiServer.CustomResources.Cel;

/// <summary>
/// Compiles the <c>x-kubernetes-validations</c> rules of a schema (and the admission expressions) with the <c>Cel</c>
/// package on one shared environment carrying <see cref="KubernetesCelLibrary"/>, the admission
/// <c>authorizer</c> library, and cost metering (<see cref="CelCostInstrumentation"/>). Compilation is serialised (the package's parser is
/// not documented as thread-safe); compiled programs are evaluated concurrently.
/// </summary>
internal static class CelRuleCompiler
{
    private static readonly Lock Gate = new();
    private static readonly CelEnvironment Env = CreateEnvironment();

    private static CelEnvironment CreateEnvironment()
    {
        var env = new CelEnvironment([], "");
        KubernetesCelLibrary.Register(env);
        Admission.Policy.CelAuthorizerLibrary.Register(env);
        CelCostInstrumentation.Install(env);
        return env;
    }

    /// <summary>Compiles one expression; the error text (a parse error) when it does not compile.</summary>
    public static CelProgramDelegate? TryCompile(string expression, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(expression))
        {
            error = "ERROR: <input>:1:1: Syntax error: mismatched input '<EOF>'";
            return null;
        }

        lock (Gate)
        {
            try
            {
                return Env.Compile(expression);
            }
            catch (Exception e) when (e is CelException or InvalidOperationException or ArgumentException or NullReferenceException or FormatException)
            {
                error = "ERROR: <input>: " + e.Message.Split('\n')[0];
                return null;
            }
        }
    }

    /// <summary>Parses one expression into the package's syntax tree (for static checks); the parse error text when it does not parse.</summary>
    public static global::Cel.Internal.CelParser.StartContext? TryParse(string expression, out string? error)
    {
        error = null;
        lock (Gate)
        {
            try
            {
                return Env.Parse(expression);
            }
            catch (Exception e) when (e is CelException or InvalidOperationException or ArgumentException or NullReferenceException or FormatException)
            {
                error = "ERROR: <input>: " + e.Message.Split('\n')[0];
                return null;
            }
        }
    }

    /// <summary>Compiles every rule of every node under <paramref name="root"/>; nodes whose rules do not compile get none.</summary>
    public static IReadOnlyDictionary<SchemaNode, IReadOnlyList<CompiledRule>> CompileAll(SchemaNode root)
    {
        var result = new Dictionary<SchemaNode, IReadOnlyList<CompiledRule>>(ReferenceEqualityComparer.Instance);
        Walk(root, result);
        return result;
    }

    private static void Walk(SchemaNode s, Dictionary<SchemaNode, IReadOnlyList<CompiledRule>> result)
    {
        if (s.Validations.Count > 0)
        {
            var compiled = new List<CompiledRule>();
            foreach (var rule in s.Validations)
            {
                var program = TryCompile(rule.Rule, out _);
                if (program is null)
                {
                    continue;
                }

                var message = rule.MessageExpression.Length > 0 ? TryCompile(rule.MessageExpression, out _) : null;
                compiled.Add(new CompiledRule(rule, program, message, KubernetesCelLibrary.UsesOldSelf(rule.Rule)));
            }

            result[s] = compiled;
        }

        foreach (var child in Children(s))
        {
            Walk(child, result);
        }
    }

    /// <summary>The child schemas CEL walks into (properties, additionalProperties, items).</summary>
    public static IEnumerable<SchemaNode> Children(SchemaNode s)
    {
        if (s.Properties is { } props)
        {
            foreach (var p in props.Values)
            {
                yield return p;
            }
        }

        if (s.AdditionalProperties is { } a)
        {
            yield return a;
        }

        if (s.Items is { } i)
        {
            yield return i;
        }
    }
}
