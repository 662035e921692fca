using Skiff.ApiServer.Admission.Policy;
using Skiff.ApiServer.Authorization;
using Skiff.ApiServer.Security;
using Xunit;

namespace Skiff.ApiServer.Tests.Admission.Policy;

/// <summary>
/// Runtime cost of admission expressions: upstream's per-call limit (1,000,000) with cel-go's error text, the
/// 350,000 of an authorization check (two per expression fit, three do not), and a shared budget that runs out
/// with upstream's text.
/// </summary>
public sealed class PolicyExpressionTests
{
    public static TheoryData<string, int, bool> PerCall => new()
    {
        // expression, size of object.items, whether it exceeds the per-call limit
        { "object.items.all(x, x >= 0)", 2000, false },
        { "object.items.all(x, object.items.all(y, x >= 0))", 300, false },
        { "object.items.all(x, object.items.all(y, x >= 0))", 2000, true },
        { "object.items.map(x, object.items.filter(y, y == x)).size() >= 0", 1500, true },
        { "authorizer.path('/a').check('get').allowed() && authorizer.path('/b').check('get').allowed()", 0, false },
        { "authorizer.path('/a').check('get').allowed() && authorizer.path('/b').check('get').allowed() && authorizer.path('/c').check('get').allowed()", 0, true },
    };

    [Theory]
    [MemberData(nameof(PerCall))]
    public void PerCallLimit_AsUpstream(string expression, int size, bool exceeds)
    {
        var vars = new Dictionary<string, object?>
        {
            ["object"] = new Dictionary<string, object?> { ["items"] = Enumerable.Range(0, size).Select(i => (object?)(long)i).ToArray() },
            ["authorizer"] = CelAuthorizer.As(new UserInfo("u", null, []), new AllowAll()),
        };
        var e = Record.Exception(() => new PolicyExpression(expression).Evaluate(vars));
        if (!exceeds)
        {
            Assert.Null(e);
            return;
        }

        Assert.Equal($"expression '{expression}' resulted in error: operation cancelled: actual cost limit exceeded", Assert.IsType<PolicyEvaluationException>(e).Message);
    }

    [Fact]
    public void Budget_IsSharedAndRunsOutWithUpstreamText()
    {
        var vars = new Dictionary<string, object?> { ["object"] = new Dictionary<string, object?> { ["items"] = Enumerable.Range(0, 500).Select(i => (object?)(long)i).ToArray() } };
        var expression = new PolicyExpression("object.items.all(x, x >= 0)");
        var budget = new CelBudget(800);

        Assert.Equal(true, expression.Evaluate(vars, budget)); // 500 iterations and more
        Assert.InRange(budget.Remaining, 1, 800 - 500);
        var e = Assert.Throws<CelBudgetExhaustedException>(() => expression.Evaluate(vars, budget));
        Assert.Equal("validation failed due to running out of cost budget, no further validation rules will be run", e.Message);
    }

    private sealed class AllowAll : IAuthorizer
    {
        public AuthorizationResult Authorize(AuthorizationAttributes attributes) => new(Decision.Allow, "");
    }
}
