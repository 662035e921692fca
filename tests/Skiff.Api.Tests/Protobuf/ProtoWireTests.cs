using System.Reflection;
using System.Runtime.CompilerServices;
using Skiff.Api.Protobuf;
using Xunit;

namespace Skiff.Api.Tests.Protobuf;

/// <summary>The public wire surface the client SDK builds on.</summary>
public sealed class ProtoWireTests
{
    [Fact]
    public void TheClientSdk_HasNoAccessToInternals()
    {
        var friends = typeof(ProtoWire).Assembly.GetCustomAttributes<InternalsVisibleToAttribute>().Select(a => a.AssemblyName).ToList();
        Assert.DoesNotContain("Skiff.Client", friends);
        Assert.Contains("Skiff.Client.Tests", friends);
    }

    [Fact]
    public void Magic_AndDepth()
    {
        Assert.True(ProtoWire.Magic.SequenceEqual("k8s\0"u8));
        Assert.Equal(100, ProtoWire.MaxDepth);
    }

    [Theory]
    [InlineData(1_500_000_000L, "1.5s")]
    [InlineData(3_723_000_000_000L, "1h2m3s")]
    [InlineData(0L, "0s")]
    [InlineData(-300_000_000L, "-300ms")]
    public void Durations_GoText_BothWays(long nanos, string text)
    {
        Assert.Equal(text, ProtoWire.FormatDuration(nanos));
        Assert.True(ProtoWire.TryParseDuration(text, out var back));
        Assert.Equal(nanos, back);
        Assert.False(ProtoWire.TryParseDuration("soon", out _));
    }

    [Fact]
    public void Strings_Utf8OrderAndShortening()
    {
        Assert.True(ProtoWire.CompareUtf8("\uFF61", "\U0001F600") < 0); // UTF-16 order would say the opposite
        Assert.Equal("é", ProtoWire.Utf8("é"u8));
        Assert.Equal(65, ProtoWire.Shorten(new string('x', 100)).Length);
    }

    [Fact]
    public void ZeroValues_OfASchemaMessage_AndTheEnvelope()
    {
        Assert.True(ProtoSchema.Instance.TryGetKind("v1", "ConfigMap", out var cm));
        var metadata = cm.FieldByNumber(1)!;
        Assert.Equal(("metadata", ProtoType.Message), (metadata.JsonName, metadata.Type));
        Assert.True(ProtoWire.IsZeroWrittenWhenAbsent(metadata));
        Assert.NotNull(ProtoWire.ZeroBody(cm));

        using var w = new ProtoWriter();
        ProtoWire.WriteZero(w, 1, metadata);
        var reader = new ProtoReader(w.WrittenSpan);
        Assert.Equal(1, reader.ReadTag(out var wireType));
        Assert.Equal(2, wireType);
    }

    [Fact]
    public void Envelope_ReadsTypeMetaAndRaw()
    {
        var bytes = ProtobufCodec.Encode(System.Text.Json.Nodes.JsonNode.Parse("""{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}""")!.AsObject());
        var envelope = ProtoEnvelope.Read(bytes);
        Assert.Equal(("v1", "ConfigMap", "k8s.io.api.core.v1.ConfigMap"), (envelope.ApiVersion, envelope.Kind, envelope.Message.Name));
        Assert.True(envelope.Raw.Length > 0);
    }
}
