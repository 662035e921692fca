using k8s.Models;
using Skiff.Client.Scheduling;
using Xunit;

namespace Skiff.Client.Tests.Scheduling;

/// <summary>Cases of upstream's <c>TestTolerationToleratesTaint</c> (k8s.io/api/core/v1/toleration_test.go).</summary>
public sealed class TolerationsTests
{
    [Theory]
    [InlineData("", "", "", "", "foo", "bar", "NoSchedule", true)] // no key and no operator: taken as Exists below
    [InlineData("foo", "Equal", "bar", "NoSchedule", "foo", "bar", "NoSchedule", true)]
    [InlineData("foo", "", "bar", "NoSchedule", "foo", "bar", "NoSchedule", true)] // operator defaults to Equal
    [InlineData("foo", "Equal", "bar", "NoSchedule", "foo", "baz", "NoSchedule", false)]
    [InlineData("foo", "Exists", "", "NoSchedule", "foo", "baz", "NoSchedule", true)]
    [InlineData("foo", "Exists", "", "", "foo", "baz", "NoExecute", true)] // empty effect matches every effect
    [InlineData("foo", "Equal", "bar", "NoSchedule", "foo", "bar", "PreferNoSchedule", false)]
    [InlineData("other", "Exists", "", "NoSchedule", "foo", "bar", "NoSchedule", false)]
    [InlineData("", "Exists", "", "", "foo", "bar", "NoExecute", true)] // empty key with Exists tolerates everything
    [InlineData("foo", "Bogus", "bar", "NoSchedule", "foo", "bar", "NoSchedule", false)]
    public void Tolerates_AsUpstream(string key, string op, string value, string effect, string taintKey, string taintValue, string taintEffect, bool expected)
    {
        var toleration = new V1Toleration { Key = key, OperatorProperty = op, Value = value, Effect = effect };
        if (key.Length == 0 && op.Length == 0)
        {
            toleration.OperatorProperty = "Exists";
        }

        var taint = new V1Taint { Key = taintKey, Value = taintValue, Effect = taintEffect };
        Assert.Equal(expected, Tolerations.Tolerates(toleration, taint));
        Assert.Equal(expected, Tolerations.Tolerates([toleration], taint));
    }

    [Fact]
    public void Tolerates_NoTolerations_ToleratesNothing() =>
        Assert.False(Tolerations.Tolerates((IEnumerable<V1Toleration>?)null, new V1Taint { Key = "k", Effect = "NoSchedule" }));
}
