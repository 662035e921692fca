using Skiff.ApiServer.CustomResources.Cel;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources.Cel;

/// <summary>The cost meter: charges only the evaluation it measures, and aborts past its limit with cel-go's text.</summary>
public sealed class CelCostTests
{
    [Fact]
    public void Meter_ChargesOnlyTheEvaluationItMeasures()
    {
        var meter = new CelCostMeter(10);
        CelCostMeter.Charge(1_000); // nothing is measured on this thread: no effect
        var e = Assert.Throws<CelCostLimitExceededException>(() => meter.Measure<object?>(() =>
        {
            CelCostMeter.Charge(20);
            return null;
        }));
        Assert.Equal("operation cancelled: actual cost limit exceeded", e.Message);
        Assert.Equal(21, meter.Cost); // 1 for the evaluation itself
    }

    [Theory]
    [InlineData("[1, 2, 3].all(x, x > 0)", 4, 10)]
    [InlineData("[1, 2, 3].map(x, [1, 2, 3].filter(y, y == x)).size() == 3", 13, 40)]
    [InlineData("'abc'.contains('b')", 2, 4)]
    public void Evaluations_AreChargedPerIterationAndCall(string expression, long min, long max)
    {
        var program = CelRuleCompiler.TryCompile(expression, out var error) ?? throw new InvalidOperationException(error);
        var meter = new CelCostMeter(CelCostMeter.PerCallLimit);
        Assert.Equal(true, meter.Measure(() => program(new Dictionary<string, object?>())));
        Assert.InRange(meter.Cost, min, max);
    }
}
