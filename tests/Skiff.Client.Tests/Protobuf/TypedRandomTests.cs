using Skiff.Api.Protobuf;
using Skiff.Client.Protobuf;
using Xunit;

namespace Skiff.Client.Tests.Protobuf;

/// <summary>
/// Seeded random objects of every built-in kind with a model: the typed codec agrees with the JSON object path (decode
/// serializes alike, encode gives the same bytes, decode→encode is stable); mutated and truncated envelopes give a
/// model or a ProtobufDecodeException, nothing else.
/// </summary>
public sealed class TypedRandomTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomObjects_TypedCodec_AgreesWithJsonObjectPath(int seed)
    {
        var random = new RandomWire(seed);
        var compared = 0;
        for (var i = 0; i < 300; i++)
        {
            var (pb, type) = random.Next();
            object old;
            try
            {
                old = OldPath.Decode(pb, type);
            }
            catch (Exception)
            {
                continue; // e.g. a non-nullable DateTime the JSON path cannot give null; the typed codec keeps its default
            }

            var typed = OldPath.TypedDecode(pb, type);

            Assert.NotNull(typed);
            Assert.Equal(OldPath.Json(old), OldPath.Json(typed));
            var oldBytes = OldPath.Encode(old);
            var typedBytes = OldPath.TypedEncode(old);
            Assert.True(oldBytes.AsSpan().SequenceEqual(typedBytes), $"seed {seed} #{i} {type.Name}: encodings differ at {oldBytes.AsSpan().CommonPrefixLength(typedBytes)}");
            Assert.True(oldBytes.AsSpan().SequenceEqual(OldPath.TypedEncode(typed)), $"seed {seed} #{i} {type.Name}: typed decode→encode differs");
            compared++;
        }

        Assert.True(compared > 200, $"only {compared} objects compared");
    }

    [Fact]
    public void MutatedEnvelopes_TypedDecode_OnlyProtobufDecodeException()
    {
        // Separate streams for fixture and generated seeds: the generated cases do not depend on ../shared.
        var fixtureRandom = new Random(17);
        var generatedRandom = new Random(18);
        var seeds = new List<(byte[], Type, Random)>();
        if (Fixtures.Directory is not null)
        {
            seeds.AddRange(Fixtures.Names().Where(n => Fixtures.ModelType(n) is not null).Select(n => (Fixtures.Bytes(n), Fixtures.ModelType(n)!, fixtureRandom)));
        }

        var objects = new RandomWire(9);
        for (var i = 0; i < 60; i++)
        {
            var (pb, type) = objects.Next();
            seeds.Add((pb, type, generatedRandom));
        }

        foreach (var (pb, type, random) in seeds)
        {
            for (var m = 0; m < 25; m++)
            {
                var data = (byte[])pb.Clone();
                switch (m % 3)
                {
                    case 0:
                        data = data[..random.Next(data.Length)];
                        break;
                    case 1:
                        for (var k = random.Next(1, 4); k > 0; k--)
                        {
                            data[random.Next(4, data.Length)] ^= (byte)random.Next(1, 256);
                        }

                        break;
                    default:
                        data[random.Next(4, data.Length)] = (byte)random.Next(256);
                        data = data[..Math.Max(4, data.Length - random.Next(3))];
                        break;
                }

                try
                {
                    OldPath.TypedDecode(data, type);
                }
                catch (ProtobufDecodeException)
                {
                }
            }
        }

        Assert.True(seeds.Count >= 60);
    }

    [Fact]
    public void DeeplyNestedEmbeddedObjects_TypedDecode_ProtobufDecodeException()
    {
        // A ControllerRevision whose data (RawExtension) embeds envelopes nested far beyond the depth limit.
        var inner = ProtobufCodec.Encode(new System.Text.Json.Nodes.JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap" });
        for (var i = 0; i < 150; i++)
        {
            inner = Wrap(inner);
        }

        Assert.Throws<ProtobufDecodeException>(() => OldPath.TypedDecode(inner, typeof(k8s.Models.V1ControllerRevision)));
    }

    private static byte[] Wrap(byte[] embedded)
    {
        using var w = new ProtoWriter();
        w.WriteRaw("k8s\0"u8);
        w.WriteTag(1, 2);
        var tm = w.BeginLength();
        w.WriteTag(1, 2);
        w.WriteString("apps/v1");
        w.WriteTag(2, 2);
        w.WriteString("ControllerRevision");
        w.EndLength(tm);
        w.WriteTag(2, 2);
        var raw = w.BeginLength();
        w.WriteTag(2, 2); // data
        var data = w.BeginLength();
        w.WriteTag(1, 2);
        w.WriteBytes(embedded);
        w.EndLength(data);
        w.EndLength(raw);
        return w.ToArray();
    }
}
