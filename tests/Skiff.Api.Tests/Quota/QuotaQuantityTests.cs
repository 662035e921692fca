using Skiff.Api.Quota;
using Xunit;

namespace Skiff.Api.Tests.Quota;

/// <summary>Quota arithmetic's quantity parser: upstream's grammar (SI, binary and exponent suffixes), malformed text refused.</summary>
public sealed class QuotaQuantityTests
{
    [Theory]
    [InlineData("1", "1", false)]
    [InlineData(" 250m ", "0.250", false)]
    [InlineData("16Mi", "16777216", true)]
    [InlineData("1Ki", "1024", true)]
    [InlineData("2k", "2000", false)]
    [InlineData("1.5G", "1500000000.0", false)]
    [InlineData("-3", "-3", false)]
    [InlineData("5e3", "5000", false)]
    [InlineData("12E-2", "0.12", false)]
    [InlineData("+7n", "0.000000007", false)]
    public void TryParse_ReadsUpstreamsGrammar(string text, string value, bool binary)
    {
        Assert.True(QuotaQuantity.TryParse(text, out var q));
        Assert.Equal(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture), q.Value);
        Assert.Equal(binary, q.Binary);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Mi")]
    [InlineData("1Xi")]
    [InlineData("1e")]
    [InlineData("1e40")]
    [InlineData("1..2")]
    [InlineData("1 Mi")]
    public void TryParse_RefusesMalformedText(string text) => Assert.False(QuotaQuantity.TryParse(text, out _));

    [Theory]
    [InlineData("300m")]
    [InlineData("256Mi")]
    [InlineData("2")]
    [InlineData("0")]
    public void ToString_IsCanonicalForWhatItParsed(string text)
    {
        Assert.True(QuotaQuantity.TryParse(text, out var q));
        Assert.Equal(text, q.ToString());
    }
}
