using Skiff.Api.Validation;
using Xunit;

namespace Skiff.Api.Tests.Validation;

public class ValueValidationTests
{
    private const string SubdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    private const string LabelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    private const string Dns1035Msg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    [Theory]
    [InlineData("a")]
    [InlineData("ab")]
    [InlineData("a-b")]
    [InlineData("0")]
    [InlineData("a.b.c")]
    [InlineData("11.22.33.44")]
    [InlineData("a--b.c--d")]
    public void IsDns1123Subdomain_Valid_NoErrors(string value) => Assert.Empty(ValueValidation.IsDns1123Subdomain(value));

    [Theory]
    [InlineData("")]
    [InlineData("A")]
    [InlineData("a.")]
    [InlineData(".a")]
    [InlineData("a_b")]
    [InlineData("a..b")]
    [InlineData("-a")]
    [InlineData("a\n")]
    public void IsDns1123Subdomain_Invalid_UpstreamMessage(string value) =>
        Assert.Equal(new[] { SubdomainMsg }, ValueValidation.IsDns1123Subdomain(value));

    [Fact]
    public void IsDns1123Subdomain_TooLong_TwoMessagesWhenAlsoBad()
    {
        Assert.Equal(new[] { "must be no more than 253 characters" }, ValueValidation.IsDns1123Subdomain(new string('a', 254)));
        Assert.Equal(new[] { "must be no more than 253 characters", SubdomainMsg }, ValueValidation.IsDns1123Subdomain(new string('A', 254)));
    }

    [Fact]
    public void IsDns1123Label_Dots_SaysMustNotContainDots()
    {
        Assert.Equal(new[] { "must not contain dots" }, ValueValidation.IsDns1123Label("a.b"));
        Assert.Equal(new[] { LabelMsg }, ValueValidation.IsDns1123Label("A"));
        Assert.Equal(new[] { "must be no more than 63 characters" }, ValueValidation.IsDns1123Label(new string('a', 64)));
        Assert.Empty(ValueValidation.IsDns1123Label("1-a"));
    }

    [Fact]
    public void IsDns1035Label_LeadingDigit_UpstreamMessage()
    {
        Assert.Equal(new[] { Dns1035Msg }, ValueValidation.IsDns1035Label("1abc"));
        Assert.Empty(ValueValidation.IsDns1035Label("abc-1"));
    }

    [Theory]
    [InlineData("simple")]
    [InlineData("now-with-dashes")]
    [InlineData("1-starts-with-num")]
    [InlineData("1234")]
    [InlineData("simple/simple")]
    [InlineData("now-with-dashes/simple")]
    [InlineData("now-with-dashes/now-with-dashes")]
    [InlineData("now.with.dots/now-with-dashes")]
    [InlineData("now-with.dashes-and.dots/now-with-dashes")]
    [InlineData("1.2.3.4/5678")]
    [InlineData("Uppercase_Is_OK_123")]
    [InlineData("example.com/Uppercase_Is_OK_123")]
    public void IsQualifiedName_Valid(string value) => Assert.Empty(ValueValidation.IsQualifiedName(value));

    [Theory]
    [InlineData("nospecialchars%^=@")]
    [InlineData("cantendwithadash-")]
    [InlineData("-cantstartwithadash-")]
    [InlineData("only/one/slash")]
    [InlineData("Example.com/abc")]
    [InlineData("example_com/abc")]
    [InlineData("example.com/")]
    [InlineData("/simple")]
    public void IsQualifiedName_Invalid(string value) => Assert.NotEmpty(ValueValidation.IsQualifiedName(value));

    [Fact]
    public void IsQualifiedName_Messages_MatchUpstream()
    {
        Assert.Equal(
            new[] { "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')" },
            ValueValidation.IsQualifiedName("a/b/c"));
        Assert.Equal(
            new[] { "prefix part must be non-empty" },
            ValueValidation.IsQualifiedName("/simple"));
        Assert.Equal(new[] { "name part must be no more than 63 characters" }, ValueValidation.IsQualifiedName(new string('a', 64)));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("simple", true)]
    [InlineData("now-with-dashes", true)]
    [InlineData("now_with_underscores", true)]
    [InlineData("Uppercase_Is_OK_123", true)]
    [InlineData("nospecialchars%^=@", false)]
    [InlineData("Tama-nui-te-rā.is.Māori.sun", false)]
    [InlineData("\\backslashes\\are\\bad", false)]
    [InlineData("-starts-with-dash", false)]
    [InlineData("ends-with-dash-", false)]
    [InlineData("trailing-newline\n", false)]
    public void IsValidLabelValue_Cases(string value, bool valid) => Assert.Equal(valid, ValueValidation.IsValidLabelValue(value).Count == 0);

    [Fact]
    public void IsValidLabelValue_TooLong_UpstreamMessage() =>
        Assert.Equal(new[] { "must be no more than 63 characters" }, ValueValidation.IsValidLabelValue(new string('a', 64)));

    [Fact]
    public void MaskTrailingDash_KeepsUpstreamQuirk()
    {
        Assert.Equal("fooa", NameValidation.MaskTrailingDash("foo1-"));
        Assert.Equal("-", NameValidation.MaskTrailingDash("-"));
        Assert.Empty(NameValidation.NameIsDnsSubdomain("foo-", true));
        Assert.NotEmpty(NameValidation.NameIsDnsSubdomain("foo-", false));
    }

    [Fact]
    public void GoFormat_Quote_EscapesLikeGo()
    {
        Assert.Equal("\"a\\\"b\\\\c\\n\\t\\x01é\"", GoFormat.Quote("a\"b\\c\n\t\u0001é"));
        Assert.Equal("[]string{\"a\", \"b\"}", GoFormat.StringSlice(new[] { "a", "b" }));
    }
}
