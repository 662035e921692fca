using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources;

public sealed class CustomResourceTableTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 1, 0, 0, TimeSpan.Zero);

    private static readonly JsonObject Obj = JsonNode.Parse("""
        {"metadata":{"name":"a","creationTimestamp":"2026-01-01T00:55:00Z","labels":{"app.kubernetes.io/name":"x"}},
         "spec":{"replicas":3,"ratio":1.5,"on":true,"tags":["a","b"],"when":"not a time"},
         "status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Done","status":"True"}]}}
        """)!.AsObject();

    [Fact]
    public void NoColumns_NameAndDefaultAge()
    {
        var table = CustomResourceTable.For(null);
        Assert.Equal(["Name", "Age"], table.Columns.Select(c => c.Name));
        Assert.Equal("date", table.Columns[1].Type);
        Assert.Equal(["a", "5m"], table.Cells(Obj, Now));
    }

    [Theory]
    [InlineData("integer", ".spec.replicas", 3L)]
    [InlineData("number", ".spec.ratio", 1.5)]
    [InlineData("integer", ".spec.ratio", 1L)]
    [InlineData("boolean", ".spec.on", true)]
    [InlineData("string", ".spec.replicas", "3")]
    [InlineData("string", ".spec.tags", "[\"a\",\"b\"]")]
    [InlineData("string", ".spec.tags[1]", "b")]
    [InlineData("string", ".status.conditions[?(@.type==\"Done\")].status", "True")]
    [InlineData("string", ".metadata.labels.app\\.kubernetes\\.io/name", "x")]
    [InlineData("string", ".spec.missing", null)]
    [InlineData("integer", ".spec.on", null)]
    [InlineData("date", ".spec.when", "<invalid>")]
    [InlineData("date", ".metadata.creationTimestamp", "5m")]
    public void Column_CellAsUpstream(string type, string path, object? expected)
    {
        var columns = new JsonArray(new JsonObject { ["name"] = "C", ["type"] = type, ["jsonPath"] = path });
        var table = CustomResourceTable.For(columns);
        Assert.Equal(["Name", "C"], table.Columns.Select(c => c.Name));
        Assert.Equal($"Custom resource definition column (in JSONPath format): {path}", table.Columns[1].Description);
        Assert.Equal(expected, table.Cells(Obj, Now)[1]);
    }
}
