using Skiff.ApiServer.Registry.Core;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Core;

public class QuantityValueTests
{
    [Theory]
    [InlineData("1", "1")]
    [InlineData("500m", "0.5")]
    [InlineData("1Ki", "1024")]
    [InlineData("1Gi", "1073741824")]
    [InlineData("1.5k", "1500")]
    [InlineData("1e3", "1000")]
    [InlineData("100n", "0.0000001")]
    [InlineData("-2", "-2")]
    public void TryParse_ValidQuantities_ExactValues(string text, string expected)
    {
        Assert.True(QuantityValue.TryParse(text, out var v));
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), v);
    }

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("1Xi")]
    [InlineData("1 Gi")]
    public void TryParse_Malformed_False(string text) => Assert.False(QuantityValue.TryParse(text, out _));
}
