using System.Text.Json.Nodes;
using Skiff.ApiServer.CustomResources.Cel;
using Xunit;

namespace Skiff.ApiServer.Tests.CustomResources.Cel;

/// <summary>
/// The one JSON→CEL binding: untyped (admission) keeps keys as written so label keys with dots and slashes are
/// readable; typed by a CRD schema, properties without a schema below preserved fields are escaped as upstream.
/// </summary>
public sealed class CelValuesTests
{
    private static readonly JsonObject Pod = JsonNode.Parse("""{"metadata":{"labels":{"app.kubernetes.io/name":"web","a-b":"c"}},"spec":{"replicas":3,"ratio":1.5}}""")!.AsObject();

    public static TheoryData<string, object?> Untyped => new()
    {
        { "object.metadata.labels['app.kubernetes.io/name']", "web" },
        { "object.metadata.labels['a-b']", "c" },
        { "'app.kubernetes.io/name' in object.metadata.labels", true },
        { "object.spec.replicas == 3", true },
        { "object.spec.ratio > 1.0", true },
    };

    [Theory]
    [MemberData(nameof(Untyped))]
    public void Untyped_KeepsKeysAsWritten(string expression, object? expected)
    {
        var program = CelRuleCompiler.TryCompile(expression, out var error) ?? throw new InvalidOperationException(error);
        Assert.Equal(expected, program(new Dictionary<string, object?> { ["object"] = CelValues.ToCel(Pod) }));
    }

    [Fact]
    public void SchemaBinding_WithoutSchemaBelow_EscapesPropertyNames()
    {
        var bound = (IDictionary<string, object?>)CelValues.ToCel(Pod["metadata"]!["labels"], null)!;
        Assert.Equal(["app__dot__kubernetes__dot__io__slash__name", "a__dash__b"], bound.Keys);
    }
}
