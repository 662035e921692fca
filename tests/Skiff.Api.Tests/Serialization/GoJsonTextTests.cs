using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Serialization;
using Xunit;

namespace Skiff.Api.Tests.Serialization;

public sealed class GoJsonTextTests
{
    [Theory]
    [InlineData("""{"a":"b"}""")]
    [InlineData("""{"a":"\u00e9\n\\u0041"}""")]
    [InlineData("""{"a":"\ud83d\ude00"}""")]
    [InlineData("""{"a":"\\uDDAD"}""")]
    [InlineData("not json \\")]
    public void Repair_ValidText_ReturnedUnchanged(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        Assert.False(GoJsonText.NeedsRepair(bytes));
        Assert.Equal(bytes, GoJsonText.Repair(bytes).ToArray());
    }

    [Theory]
    [InlineData("""{"a":"\uDDAD"}""", """{"a":"\ufffd"}""")]
    [InlineData("""{"a":"\uD83D"}""", """{"a":"\ufffd"}""")]
    [InlineData("""{"a":"\uD83D\u0041"}""", """{"a":"\ufffd\u0041"}""")]
    [InlineData("""{"a":"\uDE00\uD83D"}""", """{"a":"\ufffd\ufffd"}""")]
    [InlineData("""{"\udead":1}""", """{"\ufffd":1}""")]
    [InlineData("""{"a":"\uD83D\uDE00\uDE00"}""", """{"a":"\uD83D\uDE00\ufffd"}""")]
    public void Repair_LoneSurrogateEscapes_BecomeReplacementEscapes(string json, string expected)
    {
        var repaired = GoJsonText.Repair(Encoding.UTF8.GetBytes(json));

        Assert.Equal(expected, Encoding.UTF8.GetString(repaired));
        Assert.NotNull(JsonNode.Parse(repaired)!.ToJsonString());
    }

    [Fact]
    public void Repair_InvalidUtf8_EachBadByteBecomesReplacementCharacter()
    {
        // As Go's utf8.DecodeRune: each byte that does not start a valid sequence is one U+FFFD (a truncated sequence
        // of two bytes gives two), valid sequences around them stay.
        byte[] json = [.. "{\"name\":\"bad"u8, 0xFF, 0xFE, 0xE2, 0x82, .. "é\"}"u8];

        var repaired = GoJsonText.Repair(json);

        Assert.Equal("{\"name\":\"bad\uFFFD\uFFFD\uFFFD\uFFFDé\"}", Encoding.UTF8.GetString(repaired));
        Assert.Equal("bad\uFFFD\uFFFD\uFFFD\uFFFDé", JsonNode.Parse(repaired)!["name"]!.GetValue<string>());
    }

    [Fact]
    public void Repair_SyntaxErrorsStaySyntaxErrors()
    {
        byte[] json = [.. "{\"a\":"u8, 0xFF, .. "}"u8];

        Assert.ThrowsAny<System.Text.Json.JsonException>(() => JsonNode.Parse(GoJsonText.Repair(json)));
    }

    [Theory]
    [InlineData("abc", -1)]
    [InlineData("aHLb", -1)]
    [InlineData("aL", 1)]
    [InlineData("Hx", 0)]
    [InlineData("HLH", 2)]
    public void FirstLoneSurrogate_FindsUnpairedHalves(string pattern, int expected)
    {
        // H and L stand for a high and a low surrogate (attribute arguments cannot hold lone surrogates).
        var s = pattern.Replace('H', '\uD83D').Replace('L', '\uDE00');

        Assert.Equal(expected, GoJsonText.FirstLoneSurrogate(s));
        Assert.Equal(expected < 0 ? s : s[..expected] + "\uFFFD" + s[(expected + 1)..], GoJsonText.ReplaceLoneSurrogates(s));
    }
}
