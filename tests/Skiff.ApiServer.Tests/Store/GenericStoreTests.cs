using System.Text;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Store;
using Xunit;

namespace Skiff.ApiServer.Tests.Store;

/// <summary>The store's encoders: the owned-object encoding writes exactly the copying one's bytes.</summary>
public sealed class GenericStoreTests
{
    private const string Quota =
        """{"apiVersion":"v1","kind":"ResourceQuota","metadata":{"name":"q","namespace":"ns","resourceVersion":"42","uid":"u","managedFields":[{"manager":"m","operation":"Update","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{}}}]},"spec":{"hard":{"pods":"3"}},"status":{"hard":{"pods":"3"},"used":{"pods":"1"}}}""";

    [Theory]
    [InlineData(Quota)]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"ns"},"data":{"a":"b"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","resourceVersion":"7"},"spec":{"containers":[{"name":"a","image":"i"}]}}""")]
    public void EncodeOwned_WritesTheBytesEncodeWrites_AndKeepsTheResourceVersion(string json)
    {
        var owned = JsonNode.Parse(json)!.AsObject();
        var expected = GenericStore.Encode(JsonNode.Parse(json)!.AsObject());

        var bytes = GenericStore.EncodeOwned(owned);

        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(bytes));
        Assert.DoesNotContain("resourceVersion", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal(JsonNode.Parse(json)!["metadata"]!["resourceVersion"]?.GetValue<string>(), owned["metadata"]!["resourceVersion"]?.GetValue<string>());
    }
}
