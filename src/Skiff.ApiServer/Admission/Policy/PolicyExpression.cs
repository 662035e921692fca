using Skiff.ApiServer.CustomResources.Cel;
using CelProgramDelegate = global::Cel.CelProgramDelegate;

namespace Skiff.ApiServer.Admission.Policy;

/// <summary>
/// One admission CEL expression (a policy's, or a webhook's matchCondition), compiled once through the
/// custom-resource CEL engine: evaluating it returns the value, or throws <see cref="PolicyEvaluationException"/>
/// with upstream's text (<c>expression '…' resulted in error: …</c>) when it did not compile or failed at run time.
/// Each evaluation is metered (<see cref="CelCostMeter"/>) against upstream's per-call limit of 1,000,000; with a
/// <see cref="CelBudget"/>, its cost is also taken from the budget, and an evaluation that costs more than is left
/// throws <see cref="CelBudgetExhaustedException"/>.
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

    /// <summary>Evaluates the expression over <paramref name="vars"/>, charging <paramref name="budget"/> when given.</summary>
    public object? Evaluate(IReadOnlyDictionary<string, object?> vars, CelBudget? budget = null)
    {
        if (_program is null)
        {
            throw new PolicyEvaluationException($"expression '{Source}' resulted in error: compilation failed: {Error}");
        }

        var meter = new CelCostMeter(CelCostMeter.PerCallLimit);
        var activation = vars is Dictionary<string, object?> d ? d : vars.ToDictionary(StringComparer.Ordinal);
        object? result = null;
        Exception? failure = null;
        try
        {
            result = meter.Measure(() => _program(activation));
        }
        catch (Exception e) when (e is global::Cel.CelException or InvalidCastException or NullReferenceException or ArgumentException
            or InvalidOperationException or FormatException or KeyNotFoundException or NotSupportedException or OverflowException
            or IndexOutOfRangeException or DivideByZeroException or CelCostLimitExceededException)
        {
            failure = e;
        }

        // Upstream takes the cost from the budget before looking at the result: running out wins over an error.
        budget?.Spend(meter.Cost);
        return failure is null ? result : throw new PolicyEvaluationException($"expression '{Source}' resulted in error: {failure.Message}", failure);
    }
}

/// <summary>
/// A runtime cost budget shared by several evaluations (upstream's <c>RuntimeCELCostBudget</c>, 10,000,000 for one
/// policy binding's validations and messages, and again for its audit annotations).
/// </summary>
/// <param name="remaining">The budget.</param>
public sealed class CelBudget(long remaining = CelBudget.RuntimeCelCostBudget)
{
    /// <summary>Upstream's <c>celconfig.RuntimeCELCostBudget</c>.</summary>
    public const long RuntimeCelCostBudget = 10_000_000;

    /// <summary>What is left.</summary>
    public long Remaining { get; private set; } = remaining;

    /// <summary>Takes <paramref name="cost"/>; throws <see cref="CelBudgetExhaustedException"/> when it is more than is left.</summary>
    public void Spend(long cost)
    {
        if (cost > Remaining)
        {
            Remaining = 0;
            throw new CelBudgetExhaustedException();
        }

        Remaining -= cost;
    }
}

/// <summary>A <see cref="CelBudget"/> ran out (upstream's text).</summary>
public sealed class CelBudgetExhaustedException : Exception
{
    /// <summary>Creates the exception with upstream's text.</summary>
    public CelBudgetExhaustedException()
        : base("validation failed due to running out of cost budget, no further validation rules will be run")
    {
    }

    /// <summary>Creates the exception.</summary>
    public CelBudgetExhaustedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CelBudgetExhaustedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
