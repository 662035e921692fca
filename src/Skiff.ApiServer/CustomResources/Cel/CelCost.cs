using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using global::Cel;
using global::Cel.Internal;

namespace Skiff.ApiServer.CustomResources.Cel;

/// <summary>
/// The runtime cost of one CEL evaluation (upstream's <c>ActualCost</c> with <c>cel.CostLimit</c>). The <c>Cel</c>
/// package keeps no cost, so <see cref="CelCostInstrumentation"/> makes the environment charge the meter of the
/// evaluation running on this thread: 1 per comprehension iteration (<c>all</c>, <c>exists</c>, <c>exists_one</c>,
/// <c>map</c>, <c>filter</c>), 1 per function call plus a tenth of the size of its string, list and map arguments
/// (cel-go's traversal cost factor), and the fixed 350,000 of an authorization <c>check</c> (upstream's
/// <c>library.CostEstimator</c>). Operators evaluated inline by the package are not charged: this is an
/// approximation that tracks the costs that grow with the input. Exceeding the limit aborts the evaluation with
/// <see cref="CelCostLimitExceededException"/>.
/// </summary>
internal sealed class CelCostMeter(long limit)
{
    /// <summary>Upstream's <c>celconfig.PerCallLimit</c>: the runtime cost one expression may reach.</summary>
    public const long PerCallLimit = 1_000_000;

    /// <summary>Upstream's fixed cost of an authorization check.</summary>
    public const long AuthorizationCheckCost = 350_000;

    [ThreadStatic]
    private static CelCostMeter? _current;

    /// <summary>The limit.</summary>
    public long Limit { get; } = limit;

    /// <summary>The cost charged so far.</summary>
    public long Cost { get; private set; }

    /// <summary>Whether the limit was passed (sticky: the package absorbs errors inside <c>&amp;&amp;</c>, <c>||</c> and <c>all</c>).</summary>
    public bool Exceeded { get; private set; }

    /// <summary>Whether the evaluation running on this thread is metered and over its limit.</summary>
    public static bool Exhausted => _current is { Exceeded: true };

    /// <summary>What a skipped comprehension step yields once the limit is passed (the result is discarded).</summary>
    public static object Aborted { get; } = new();

    /// <summary>Charges <paramref name="cost"/> to the evaluation running on this thread, if it is metered.</summary>
    public static void Charge(long cost)
    {
        if (_current is not { } meter)
        {
            return;
        }

        meter.Cost += cost;
        if (meter.Cost > meter.Limit)
        {
            meter.Exceeded = true;
            throw new CelCostLimitExceededException();
        }
    }

    /// <summary>
    /// Runs <paramref name="evaluate"/> with this meter charged by the instrumented environment; once the limit is
    /// passed the evaluation fails with <see cref="CelCostLimitExceededException"/>, whatever the package made of it.
    /// </summary>
    public T Measure<T>(Func<T> evaluate)
    {
        var previous = _current;
        _current = this;
        try
        {
            Charge(1);
            var result = evaluate();
            return Exceeded ? throw new CelCostLimitExceededException() : result;
        }
        catch (Exception e) when (Exceeded && e is not CelCostLimitExceededException)
        {
            throw new CelCostLimitExceededException(CelCostLimitExceededException.Text, e);
        }
        finally
        {
            _current = previous;
        }
    }
}

/// <summary>An evaluation went over its cost limit (cel-go's <c>operation cancelled: actual cost limit exceeded</c>).</summary>
public sealed class CelCostLimitExceededException : Exception
{
    /// <summary>cel-go's text.</summary>
    public const string Text = "operation cancelled: actual cost limit exceeded";

    /// <summary>Creates the exception with cel-go's text.</summary>
    public CelCostLimitExceededException()
        : base(Text)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CelCostLimitExceededException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CelCostLimitExceededException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// Wraps the macros and functions of a <see cref="CelEnvironment"/> so that they charge <see cref="CelCostMeter"/>.
/// The package exposes its macro and function tables only on its internal visitor, reached once by reflection at
/// start; if a later package version moves them, <see cref="Install"/> fails at start rather than silently
/// running unmetered.
/// </summary>
internal static class CelCostInstrumentation
{
    /// <summary>Instruments every macro and every function registered on <paramref name="env"/> so far.</summary>
    public static void Install(CelEnvironment env)
    {
        var visitor = typeof(CelEnvironment).GetProperty("CelVisitor", BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)?.GetValue(env)
            ?? throw new InvalidOperationException("the Cel package's environment has no CelVisitor: cost metering cannot be installed");
        var type = visitor.GetType();
        const BindingFlags Any = BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public;
        var macros = type.GetProperty("InternalMacros", Any)?.GetValue(visitor) as Dictionary<string, CelMacroDelegate>
            ?? throw new InvalidOperationException("the Cel package's visitor has no InternalMacros: cost metering cannot be installed");
        var functions = type.GetProperty("Functions", Any)?.GetValue(visitor) as ConcurrentDictionary<string, List<FunctionRegistration>>
            ?? throw new InvalidOperationException("the Cel package's visitor has no Functions: cost metering cannot be installed");
        foreach (var name in macros.Keys.ToList())
        {
            var inner = macros[name];
            macros[name] = (target, variable, body, vars, funcs) => inner(target, variable, v =>
            {
                // Past the limit, the remaining steps are skipped rather than failed one by one.
                if (CelCostMeter.Exhausted)
                {
                    return CelCostMeter.Aborted;
                }

                CelCostMeter.Charge(1);
                return body(v);
            }, vars, funcs);
        }

        foreach (var (name, overloads) in functions)
        {
            for (var i = 0; i < overloads.Count; i++)
            {
                var inner = overloads[i].CelFunction;
                var fixedCost = name == "check" ? CelCostMeter.AuthorizationCheckCost : 0;
                overloads[i] = new FunctionRegistration(overloads[i].ArgsTypes, args =>
                {
                    CelCostMeter.Charge(fixedCost > 0 ? fixedCost : 1 + TraversalCost(args));
                    return inner(args);
                });
            }
        }
    }

    private static long TraversalCost(object?[] args)
    {
        long size = 0;
        foreach (var a in args)
        {
            size += a switch
            {
                string s => s.Length,
                ICollection c => c.Count,
                _ => 0,
            };
        }

        return (size + 9) / 10;
    }
}
