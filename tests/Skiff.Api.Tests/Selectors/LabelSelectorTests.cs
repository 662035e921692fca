using System.Text.Json.Nodes;
using Skiff.Api.Selectors;
using Xunit;

namespace Skiff.Api.Tests.Selectors;

public class LabelSelectorTests
{
    private const string LabelValueMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    private static Dictionary<string, string> Set(params string[] kv)
    {
        var d = new Dictionary<string, string>();
        for (var i = 0; i < kv.Length; i += 2)
        {
            d[kv[i]] = kv[i + 1];
        }

        return d;
    }

    [Theory]
    [InlineData("x=a,y=b,z=c")]
    [InlineData("")]
    [InlineData("x!=a,y=b")]
    [InlineData("x=")]
    [InlineData("x= ")]
    [InlineData("x=,z= ")]
    [InlineData("x= ,z= ")]
    [InlineData("!x")]
    [InlineData("x>1")]
    [InlineData("x>1,z<5")]
    public void Parse_GoodStrings_RoundTripWithoutSpaces(string input)
    {
        var s = LabelSelector.Parse(input);
        Assert.Equal(input.Replace(" ", ""), s.ToString());
    }

    [Theory]
    [InlineData("x=a||y=b", "unable to parse requirement: values[0][x]: Invalid value: \"a||y\": " + LabelValueMsg)]
    [InlineData("x==a==b", "found '==', expected: ',' or 'end of string'")]
    [InlineData("!x=a", "found '=', expected: ',' or 'end of string'")]
    [InlineData("x<a", "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer")]
    [InlineData("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt")]
    [InlineData("x,,y", "found ',', expected: identifier after ','")]
    [InlineData(",x,y", "found ',', expected: !, identifier, or 'end of string'")]
    [InlineData("a in (xyz),", "found '', expected: identifier after ','")]
    [InlineData("a in (xyz abc)", "unable to parse requirement: found 'abc', expected: ',' or ')'")]
    [InlineData("a notin(", "unable to parse requirement: found '', expected: ',', ')' or identifier")]
    [InlineData("(", "found '(', expected: !, identifier, or 'end of string'")]
    [InlineData("a (", "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt")]
    public void Parse_BadStrings_ThrowUpstreamMessage(string input, string message)
    {
        var e = Assert.Throws<SelectorParseException>(() => LabelSelector.Parse(input));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Parse_InvalidKey_ReportsNilPathAndAllMessages()
    {
        var e = Assert.Throws<SelectorParseException>(() => LabelSelector.Parse("Foo/=bar"));
        Assert.Equal(
            "unable to parse requirement: <nil>: Invalid value: \"Foo/\": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'); name part must be non-empty; name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
            e.Message);
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("\rx", "x")]
    [InlineData("this-is-a-dns.domain.com/key-with-dash", "this-is-a-dns.domain.com/key-with-dash")]
    [InlineData("this-is-another-dns.domain.com/key-with-dash in (so,what)", "this-is-another-dns.domain.com/key-with-dash in (so,what)")]
    [InlineData("0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)", "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)")]
    [InlineData("foo  in\t (abc)", "foo in (abc)")]
    [InlineData("x notin\n (abc)", "x notin (abc)")]
    [InlineData("x  notin\t\t(abc,def)", "x notin (abc,def)")]
    [InlineData("x in (abc,)", "x in (,abc)")]
    [InlineData("x in ()", "x in ()")]
    [InlineData("x notin (abc,,def),bar,z in (),w", "bar,w,x notin (,abc,def),z in ()")]
    [InlineData("x,y in (a)", "x,y in (a)")]
    [InlineData("x=a,y!=b,z in (h,i,j)", "x=a,y!=b,z in (h,i,j)")]
    [InlineData("x notin ( )", "x notin ()")]
    [InlineData("x notin (, a)", "x notin (,a)")]
    [InlineData("a ", "a")]
    [InlineData("a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)")]
    [InlineData("x=a,a=x", "a=x,x=a")]
    [InlineData("y==b", "y==b")]
    public void Parse_SetSelectorCases_GiveUpstreamCanonicalString(string input, string canonical)
    {
        Assert.Equal(canonical, LabelSelector.Parse(input).ToString());
    }

    [Theory]
    [InlineData("", true, "x", "y")]
    [InlineData("x=y", true, "x", "y")]
    [InlineData("x=y,z=w", true, "x", "y", "z", "w")]
    [InlineData("x!=y,z!=w", true, "x", "z", "z", "a")]
    [InlineData("notin=in", true, "notin", "in")]
    [InlineData("x", true, "x", "z")]
    [InlineData("!x", true, "y", "z")]
    [InlineData("x>1", true, "x", "2")]
    [InlineData("x<1", true, "x", "0")]
    [InlineData("x=z", false)]
    [InlineData("x=y", false, "x", "z")]
    [InlineData("x=y,z=w", false, "x", "w", "z", "w")]
    [InlineData("x!=y,z!=w", false, "x", "z", "z", "w")]
    [InlineData("x", false, "y", "z")]
    [InlineData("!x", false, "x", "z")]
    [InlineData("x>1", false, "x", "0")]
    [InlineData("x<1", false, "x", "2")]
    [InlineData("z>1", false, "z", "v2")]
    [InlineData("x in (foo),y notin (alpha)", true, "x", "foo", "y", "baz")]
    [InlineData("x in (foo),y in (alpha)", false, "x", "foo", "y", "baz")]
    [InlineData("x notin (),y", true, "y", "")]
    [InlineData("foo=bar,foobar=bar,baz=blah", false, "foo", "bar", "baz", "blah")]
    public void Matches_UpstreamCases(string selector, bool expected, params string[] labels)
    {
        Assert.Equal(expected, LabelSelector.Parse(selector).Matches(Set(labels)));
    }

    [Fact]
    public void Everything_MatchesAndIsEmpty_NothingMatchesNothing()
    {
        Assert.True(LabelSelector.Everything.Matches(Set("x", "y")));
        Assert.True(LabelSelector.Everything.IsEmpty);
        Assert.True(LabelSelector.Everything.Matches((IReadOnlyDictionary<string, string>?)null));
        Assert.False(LabelSelector.Nothing.Matches(Set("x", "y")));
        Assert.False(LabelSelector.Nothing.IsEmpty);
    }

    [Fact]
    public void Requirement_Create_EmptyInValues_Fails()
    {
        var e = Assert.Throws<SelectorParseException>(() => LabelRequirement.Create("x1", SelectorOperator.In, Array.Empty<string>()));
        Assert.Equal("values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty", e.Message);
    }

    [Fact]
    public void Requirement_Create_EqualsWithTwoValues_Fails()
    {
        var e = Assert.Throws<SelectorParseException>(() => LabelRequirement.Create("x5", SelectorOperator.Equals, new[] { "bar", "foo" }));
        Assert.Equal("values: Invalid value: []string{\"bar\", \"foo\"}: exact-match compatibility requires one single value", e.Message);
    }

    [Fact]
    public void Requirement_Create_LongKey_FailsOnKey()
    {
        var e = Assert.Throws<SelectorParseException>(() => LabelRequirement.Create(new string('a', 254), SelectorOperator.Exists, null));
        Assert.StartsWith("key: Invalid value: \"aaaa", e.Message);
        Assert.EndsWith("name part must be no more than 63 characters", e.Message);
    }

    [Fact]
    public void Requirement_Create_SeveralErrors_AreBracketed()
    {
        var e = Assert.Throws<SelectorParseException>(() => LabelRequirement.Create("x", SelectorOperator.GreaterThan, new[] { "a b", "c" }));
        Assert.Equal(
            "[values: Invalid value: []string{\"a b\", \"c\"}: for 'Gt', 'Lt' operators, exactly one value is required, "
            + "values[0]: Invalid value: \"a b\": for 'Gt', 'Lt' operators, the value must be an integer, "
            + "values[1]: Invalid value: \"c\": for 'Gt', 'Lt' operators, the value must be an integer, "
            + "values[0][x]: Invalid value: \"a b\": " + LabelValueMsg + "]",
            e.Message);
    }

    [Fact]
    public void FromJson_MatchLabelsAndExpressions_Combine()
    {
        var json = JsonNode.Parse("""
            {"matchLabels":{"app":"web"},"matchExpressions":[
              {"key":"tier","operator":"In","values":["front","back"]},
              {"key":"canary","operator":"DoesNotExist"},
              {"key":"env","operator":"NotIn","values":["dev"]},
              {"key":"zone","operator":"Exists"}]}
            """)!.AsObject();
        var s = LabelSelector.FromJson(json);
        Assert.Equal("app=web,!canary,env notin (dev),tier in (back,front),zone", s.ToString());
        Assert.True(s.Matches(Set("app", "web", "tier", "front", "zone", "a")));
        Assert.False(s.Matches(Set("app", "web", "tier", "front", "zone", "a", "canary", "1")));
        Assert.False(s.Matches(Set("app", "web", "tier", "front", "zone", "a", "env", "dev")));
    }

    [Fact]
    public void FromJson_NullIsNothing_EmptyIsEverything()
    {
        Assert.True(LabelSelector.FromJson(null).MatchesNothing);
        Assert.True(LabelSelector.FromJson(new JsonObject()).IsEmpty);
    }

    [Fact]
    public void FromJson_BadOperator_UpstreamMessage()
    {
        var json = JsonNode.Parse("""{"matchExpressions":[{"key":"a","operator":"Foo"}]}""")!.AsObject();
        var e = Assert.Throws<SelectorParseException>(() => LabelSelector.FromJson(json));
        Assert.Equal("\"Foo\" is not a valid label selector operator", e.Message);
    }

    [Fact]
    public void FromJson_InWithoutValues_NilSliceMessage()
    {
        var json = JsonNode.Parse("""{"matchExpressions":[{"key":"a","operator":"In"}]}""")!.AsObject();
        var e = Assert.Throws<SelectorParseException>(() => LabelSelector.FromJson(json));
        Assert.Equal("values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty", e.Message);
    }

    [Fact]
    public void RequiresExactMatch_EqualsAndSingleIn()
    {
        Assert.True(LabelSelector.Parse("a=b,c in (d)").RequiresExactMatch("c", out var v));
        Assert.Equal("d", v);
        Assert.False(LabelSelector.Parse("a!=b").RequiresExactMatch("a", out _));
    }

    [Fact]
    public void Matches_JsonLabels()
    {
        var labels = JsonNode.Parse("""{"app":"web"}""")!.AsObject();
        Assert.True(LabelSelector.Parse("app=web").Matches(labels));
        Assert.False(LabelSelector.Parse("app=db").Matches(labels));
        Assert.True(LabelSelector.Parse("!app").Matches((JsonObject?)null));
    }
}
