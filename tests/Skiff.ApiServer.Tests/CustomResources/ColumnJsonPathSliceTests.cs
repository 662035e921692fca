using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources;

/// <summary>Slices in printer-column JSONPaths, as client-go's jsonpath evaluates them.</summary>
public sealed class ColumnJsonPathSliceTests
{
    private static readonly JsonNode Doc = JsonNode.Parse("""
        {"status": {"conditions": [{"type": "Created"}, {"type": "Running"}, {"type": "Succeeded"}]}}
        """)!;

    [Theory]
    [InlineData(".status.conditions[-1:].type", "Succeeded")]
    [InlineData(".status.conditions[0:2].type", "Created,Running")]
    [InlineData(".status.conditions[1:].type", "Running,Succeeded")]
    [InlineData(".status.conditions[:1].type", "Created")]
    [InlineData(".status.conditions[::2].type", "Created,Succeeded")]
    [InlineData(".status.conditions[-2:-1].type", "Running")]
    [InlineData(".status.conditions[0:99].type", "Created,Running,Succeeded")]
    [InlineData(".status.conditions[5:].type", "")]
    [InlineData(".status.conditions[2:1].type", "")]
    public void Slices_SelectLikeClientGo(string path, string expected)
    {
        var found = ColumnJsonPath.Parse(path);
        Assert.NotNull(found);
        Assert.Equal(expected, string.Join(',', found.Find(Doc).Select(n => n!.GetValue<string>())));
    }

    [Fact]
    public void AZeroOrNegativeStep_IsNotSupported() => Assert.Null(ColumnJsonPath.Parse(".a[0:2:0]"));
}
