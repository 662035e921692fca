using Skiff.ApiServer.CustomResources.Cel;
using CelProgramDelegate = global::Cel.CelProgramDelegate;

namespace Skiff.ApiServer.Admission.Policy;

/// <summary>
/// One CEL expression of a policy, compiled once through the custom-resource CEL engine: evaluating it returns the
/// value, or throws <see cref="PolicyEvaluationException"/> with upstream's text (<c>expression '…' resulted in
/// error: …</c>) when it did not compile or failed at run time.
/// </summary>
public sealed class PolicyExpression
{
    private readonly CelProgramDelegate? _program;

    /// <summary>Compiles <paramref name="source"/>.</summary>
    public PolicyExpression(string source)
    {
        Source = source;
        _program = CelRuleCompiler.TryCompile(source, out var error);
        Error = error;
    }

    /// <summary>The expression as written.</summary>
    public string Source { get; }

    /// <summary>The compile error, or null.</summary>
    public string? Error { get; }

    /// <summary>Evaluates the expression over <paramref name="vars"/>.</summary>
    public object? Evaluate(IReadOnlyDictionary<string, object?> vars)
    {
        if (_program is null)
        {
            throw new PolicyEvaluationException($"expression '{Source}' resulted in error: compilation failed: {Error}");
        }

        try
        {
            return _program(vars is Dictionary<string, object?> d ? d : vars.ToDictionary(StringComparer.Ordinal));
        }
        catch (Exception e) when (e is global::Cel.CelException or InvalidCastException or NullReferenceException or ArgumentException
            or InvalidOperationException or FormatException or KeyNotFoundException or NotSupportedException or OverflowException
            or IndexOutOfRangeException or DivideByZeroException)
        {
            throw new PolicyEvaluationException($"expression '{Source}' resulted in error: {e.Message}", e);
        }
    }
}
