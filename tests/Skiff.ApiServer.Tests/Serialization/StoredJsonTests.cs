using System.Text;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Http;
using Skiff.ApiServer.Serialization;
using Skiff.ApiServer.Store;
using Skiff.Storage;
using Xunit;

namespace Skiff.ApiServer.Tests.Serialization;

/// <summary>Splicing the resourceVersion into stored bytes gives exactly what decoding and re-encoding give.</summary>
public sealed class StoredJsonTests
{
    [Theory]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","namespace":"default","uid":"u"},"data":{"k":"v"}}""")]
    [InlineData("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{},"data":{"metadata":"{\"x\":1}"}}""")]
    [InlineData("""{"data":{"metadata":{"name":"inner"}},"metadata":{"name":"late","labels":{"a":"b"},"annotations":{"k:{\"name\":\"c\"}":"<&>"}},"kind":"ConfigMap"}""")]
    [InlineData("""{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","managedFields":[{"fieldsV1":{"f:metadata":{}}}]},"spec":{"containers":[{"name":"c","image":"i","args":["é","\u2028"]}]}}""")]
    public void WithResourceVersion_EqualsDecodeThenEncode(string stored)
    {
        var bytes = Encoding.UTF8.GetBytes(stored);
        var kv = new KeyValue("/registry/x", bytes, 7, 12345);
        var expected = Responses.SerializeLine(GenericStore.Decode(kv));

        var spliced = StoredJson.WithResourceVersion(bytes, 12345, newline: true);

        Assert.NotNull(spliced);
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(spliced));
    }

    [Fact]
    public void WithResourceVersion_NoNewline_IsTheDocumentAlone()
    {
        var spliced = StoredJson.WithResourceVersion("""{"metadata":{"name":"a"}}"""u8, 9, newline: false);

        Assert.Equal("""{"metadata":{"name":"a","resourceVersion":"9"}}""", Encoding.UTF8.GetString(spliced!));
    }

    [Theory]
    [InlineData("""{"kind":"ConfigMap"}""")]
    [InlineData("""{"metadata":null}""")]
    [InlineData("""{"metadata":[1]}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""{"metadata":{"name":""")]
    public void WithResourceVersion_NoMetadataObject_ReturnsNullForTheCallerToDecode(string stored) =>
        Assert.Null(StoredJson.WithResourceVersion(Encoding.UTF8.GetBytes(stored), 1, newline: true));
}
