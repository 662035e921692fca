using Skiff.Api.Selectors;
using Xunit;

namespace Skiff.Api.Tests.Selectors;

public class FieldSelectorTests
{
    private static Func<string, string?> Fields(params string[] kv)
    {
        var d = new Dictionary<string, string>();
        for (var i = 0; i < kv.Length; i += 2)
        {
            d[kv[i]] = kv[i + 1];
        }

        return f => d.TryGetValue(f, out var v) ? v : null;
    }

    [Theory]
    [InlineData("x=a,y=b,z=c")]
    [InlineData("")]
    [InlineData("x!=a,y=b")]
    [InlineData("x=a||y\\=b")]
    [InlineData("x=a\\=\\=b")]
    public void Parse_GoodStrings_RoundTrip(string input)
    {
        Assert.Equal(input, FieldSelector.Parse(input).ToString());
    }

    [Theory]
    [InlineData("x=a||y=b", "invalid field selector: unescaped character in value: 61")]
    [InlineData("x==a==b", "invalid field selector: unescaped character in value: 61")]
    [InlineData("x=a,b", "invalid selector: 'x=a,b'; can't understand 'b'")]
    [InlineData("x in (a)", "invalid selector: 'x in (a)'; can't understand 'x in (a)'")]
    [InlineData("x in (a,b,c)", "invalid selector: 'x in (a,b,c)'; can't understand 'b'")]
    [InlineData("x", "invalid selector: 'x'; can't understand 'x'")]
    [InlineData("k=\\a", "invalid field selector: invalid escape sequence: \\a")]
    [InlineData("k=\\", "invalid field selector: invalid escape sequence: \\")]
    public void Parse_BadStrings_ThrowUpstreamMessage(string input, string message)
    {
        var e = Assert.Throws<SelectorParseException>(() => FieldSelector.Parse(input));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Parse_IsDeterministic()
    {
        Assert.Equal(FieldSelector.Parse("x=a,a=x").ToString(), FieldSelector.Parse("a=x,x=a").ToString());
        Assert.Equal("a=x,x=a", FieldSelector.Parse("x=a,a=x").ToString());
    }

    [Theory]
    [InlineData("a", new[] { "a" })]
    [InlineData("a=avalue,b==bvalue,c!=cvalue", new[] { "a=avalue", "b==bvalue", "c!=cvalue" })]
    [InlineData("a=a,", new[] { "a=a", "" })]
    [InlineData(",a=a", new[] { "", "a=a" })]
    [InlineData("k=\\,,k2=v2", new[] { "k=\\,", "k2=v2" })]
    [InlineData("k=\\\\,k2=v2", new[] { "k=\\\\", "k2=v2" })]
    [InlineData("k=\\\\\\,,k2=v2", new[] { "k=\\\\\\,", "k2=v2" })]
    [InlineData("k=\\a\\b\\", new[] { "k=\\a\\b\\" })]
    [InlineData("함=수,목=록", new[] { "함=수", "목=록" })]
    public void SplitTerms_UpstreamCases(string input, string[] expected)
    {
        Assert.Equal(expected, FieldSelector.SplitTerms(input));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("a", "a")]
    [InlineData("=", "\\=")]
    [InlineData(",", "\\,")]
    [InlineData("\\", "\\\\")]
    [InlineData("\\=\\,\\", "\\\\\\=\\\\\\,\\\\")]
    public void EscapeValue_RoundTrips(string raw, string escaped)
    {
        Assert.Equal(escaped, FieldSelector.EscapeValue(raw));
        Assert.Equal(raw, FieldSelector.UnescapeValue(escaped));
    }

    [Theory]
    [InlineData("", true, "x", "y")]
    [InlineData("x=y", true, "x", "y")]
    [InlineData("x=y,z=w", true, "x", "y", "z", "w")]
    [InlineData("x!=y,z!=w", true, "x", "z", "z", "a")]
    [InlineData("notin=in", true, "notin", "in")]
    [InlineData("x=y", false, "x", "z")]
    [InlineData("x=y,z=w", false, "x", "w", "z", "w")]
    [InlineData("x!=y,z!=w", false, "x", "z", "z", "w")]
    [InlineData("foo=bar,baz=blah,complex=\\=value\\\\\\,\\\\", true, "foo", "bar", "baz", "blah", "complex", "=value\\,\\")]
    [InlineData("foo=bar,foobar=bar,baz=blah", false, "foo", "bar", "baz", "blah")]
    [InlineData("spec.nodeName=", true)]
    [InlineData("spec.nodeName!=", false)]
    public void Matches_UpstreamCases(string selector, bool expected, params string[] fields)
    {
        Assert.Equal(expected, FieldSelector.Parse(selector).Matches(Fields(fields)));
    }

    [Fact]
    public void Requirements_ExposeFieldOperatorAndUnescapedValue()
    {
        var s = FieldSelector.Parse("metadata.name==a\\,b,status.phase!=Running");
        Assert.Equal(
            new[]
            {
                new FieldRequirement("metadata.name", SelectorOperator.Equals, "a,b"),
                new FieldRequirement("status.phase", SelectorOperator.NotEquals, "Running"),
            },
            s.Requirements);
        Assert.True(s.RequiresExactMatch("metadata.name", out var v));
        Assert.Equal("a,b", v);
    }

    [Fact]
    public void EnsureSupported_UnknownField_UpstreamMessage()
    {
        var s = FieldSelector.Parse("metadata.name=a,spec.foo=b");
        var e = Assert.Throws<SelectorParseException>(() => s.EnsureSupported(f => f.StartsWith("metadata.", StringComparison.Ordinal)));
        Assert.Equal("field label not supported: spec.foo", e.Message);
        FieldSelector.Parse("metadata.name=a").EnsureSupported(f => f == "metadata.name");
    }
}
