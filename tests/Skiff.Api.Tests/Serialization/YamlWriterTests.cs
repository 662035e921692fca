using System.Text;
using System.Text.Json.Nodes;
using Skiff.Api.Serialization;
using Xunit;

namespace Skiff.Api.Tests.Serialization;

/// <summary>
/// The one YAML writer of the API server's <c>application/yaml</c> responses and the client's CRD manifests (the
/// client's output is pinned byte for byte by the CRD golden files): block layout, and a string quoted exactly when
/// YAML (go-yaml's resolver, YAML 1.1) would read it as something else.
/// </summary>
public sealed class YamlWriterTests
{
    [Fact]
    public void Write_Object_IsBlockYamlWithSequencesUnderAKeyNotIndented()
    {
        var json = """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web"},"creationTimestamp":"2026-01-01T00:00:00Z"},"spec":{"containers":[{"name":"c","image":"busybox","args":["sleep","3600"],"ports":[{"containerPort":80}]}],"tolerations":[],"nested":[[1,2],[]]},"status":{},"gone":null,"ok":true}""";

        var yaml = YamlWriter.Write(JsonNode.Parse(json));

        Assert.Equal(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
              labels:
                app: web
              creationTimestamp: "2026-01-01T00:00:00Z"
            spec:
              containers:
              - name: c
                image: busybox
                args:
                - sleep
                - "3600"
                ports:
                - containerPort: 80
              tolerations: []
              nested:
              - - 1
                - 2
              - []
            status: {}
            gone: null
            ok: true

            """.ReplaceLineEndings("\n"), yaml);
    }

    [Theory]
    [InlineData("{}", "{}\n")]
    [InlineData("[]", "[]\n")]
    [InlineData("\"x\"", "x\n")]
    [InlineData("7", "7\n")]
    [InlineData("null", "null\n")]
    public void Write_TopLevelLeaf_IsOneLine(string json, string expected) =>
        Assert.Equal(expected, YamlWriter.Write(JsonNode.Parse(json)));

    [Fact]
    public void Write_ToBuilder_Appends()
    {
        var sb = new StringBuilder("---\n");
        YamlWriter.Write(sb, new JsonObject { ["a"] = "b" });
        Assert.Equal("---\na: b\n", sb.ToString());
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("v1.2.3", "v1.2.3")]
    [InlineData("ünïcode", "ünïcode")]
    [InlineData("a-b_c.d/e", "a-b_c.d/e")]
    [InlineData("", "\"\"")]
    [InlineData("true", "\"true\"")]
    [InlineData("False", "\"False\"")]
    [InlineData("Yes", "\"Yes\"")]
    [InlineData("NO", "\"NO\"")]
    [InlineData("on", "\"on\"")]
    [InlineData("y", "\"y\"")]
    [InlineData("null", "\"null\"")]
    [InlineData("~", "\"~\"")]
    [InlineData("123", "\"123\"")]
    [InlineData("1.5", "\"1.5\"")]
    [InlineData("1e3", "\"1e3\"")]
    [InlineData("0x1F", "\"0x1F\"")]
    [InlineData("0o17", "\"0o17\"")]
    [InlineData("1_000", "\"1_000\"")]
    [InlineData("2026-01-01", "\"2026-01-01\"")]
    [InlineData(".inf", "\".inf\"")]
    [InlineData(".NaN", "\".NaN\"")]
    [InlineData("a: b", "\"a: b\"")]
    [InlineData("#x", "\"#x\"")]
    [InlineData("- x", "\"- x\"")]
    [InlineData("?x", "\"?x\"")]
    [InlineData(" lead", "\" lead\"")]
    [InlineData("tail ", "\"tail \"")]
    [InlineData("*ref", "\"*ref\"")]
    [InlineData("line\nbreak", "\"line\\nbreak\"")]
    [InlineData("cr\rhere", "\"cr\\rhere\"")]
    [InlineData("say \"hi\"", "\"say \\\"hi\\\"\"")]
    [InlineData("é: x", "\"é: x\"")]
    public void Scalar_QuotesExactlyWhatYamlWouldNotReadAsThisString(string value, string expected) =>
        Assert.Equal(expected, YamlWriter.Scalar(value));
}
