using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;
using Xunit;

namespace Skiff.Api.Tests.Protobuf;

/// <summary>Seeded fuzzing: random valid objects round-trip byte-identically; random and mutated bytes give a
/// decoded object or a ProtobufDecodeException, never anything else.</summary>
public sealed class ProtobufFuzzTests
{
    private static readonly IReadOnlyList<(string ApiVersion, string Kind)> Kinds = AllKinds();

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void RandomObjects_EncodeDecodeEncode_ByteIdentical(int seed)
    {
        var random = new RandomObjects(seed);
        for (var i = 0; i < 150; i++)
        {
            var (obj, apiVersion, kind) = random.NextObject(Kinds);

            var first = ProtobufCodec.Encode(obj, apiVersion, kind);
            var json = ProtobufCodec.Decode(first, apiVersion, kind);
            var second = ProtobufCodec.Encode(json, apiVersion, kind);
            var jsonAgain = ProtobufCodec.Decode(second, apiVersion, kind);

            Assert.True(first.AsSpan().SequenceEqual(second),
                $"seed {seed} #{i} {apiVersion} {kind}: protobuf → JSON → protobuf changed the bytes at {first.AsSpan().CommonPrefixLength(second)}: {JsonEquality.FirstDifference(json, jsonAgain)}; {JsonEquality.FirstDifference(obj, json)}");
            Assert.Equal(json.ToJsonString(), jsonAgain.ToJsonString());
        }
    }

    [Fact]
    public void RandomBytes_Decode_OnlyProtobufDecodeException()
    {
        var random = new Random(7);
        for (var i = 0; i < 3000; i++)
        {
            var body = new byte[random.Next(0, 200)];
            random.NextBytes(body);
            var data = i % 3 == 0 ? body : [.. "k8s\0"u8, .. body];
            DecodeMustNotCrash(data);
        }
    }

    [Fact]
    public void MutatedEnvelopes_Decode_OnlyProtobufDecodeException()
    {
        // Separate streams for fixture and generated seeds: the generated cases do not depend on ../shared.
        var fixtureRandom = new Random(11);
        var generatedRandom = new Random(12);
        var seeds = new List<(byte[] Seed, Random Random)>();
        if (Fixtures.Directory is not null)
        {
            seeds.AddRange(Fixtures.Names().Select(n => (File.ReadAllBytes(Path.Combine(Fixtures.Directory, n + ".pb")), fixtureRandom)));
        }

        var objects = new RandomObjects(5);
        for (var i = 0; i < 40; i++)
        {
            var (obj, apiVersion, kind) = objects.NextObject(Kinds);
            seeds.Add((ProtobufCodec.Encode(obj, apiVersion, kind), generatedRandom));
        }

        foreach (var (seed, random) in seeds)
        {
            for (var m = 0; m < 25; m++)
            {
                DecodeMustNotCrash(Mutate(seed, random));
            }
        }
    }

    [Fact]
    public void RandomWatchFrames_DecodeEvent_OnlyProtobufDecodeException()
    {
        var random = new Random(13);
        var frame = ProtobufWatch.EncodeEventFrame("ADDED", new JsonObject { ["apiVersion"] = "v1", ["kind"] = "ConfigMap", ["metadata"] = new JsonObject { ["name"] = "x" }, ["data"] = new JsonObject { ["a"] = "b" } });
        for (var i = 0; i < 2000; i++)
        {
            var body = Mutate(frame.AsSpan(4).ToArray(), random);
            try
            {
                var ev = ProtobufWatch.DecodeEvent(body);
                Assert.NotNull(ev.Object);
            }
            catch (ProtobufDecodeException)
            {
            }
        }
    }

    internal static byte[] Mutate(byte[] data, Random random)
    {
        var copy = data.ToList();
        for (var k = random.Next(1, 4); k > 0 && copy.Count > 0; k--)
        {
            var at = random.Next(copy.Count);
            switch (random.Next(5))
            {
                case 0:
                    copy[at] = (byte)random.Next(256);
                    break;
                case 1:
                    copy[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 2:
                    copy.RemoveRange(at, copy.Count - at); // truncate
                    break;
                case 3:
                    copy.Insert(at, (byte)random.Next(256));
                    break;
                default:
                    copy.RemoveAt(at);
                    break;
            }
        }

        return [.. copy];
    }

    private static void DecodeMustNotCrash(byte[] data)
    {
        JsonObject decoded;
        try
        {
            decoded = ProtobufCodec.Decode(data);
        }
        catch (ProtobufDecodeException)
        {
            return;
        }

        // Whatever decodes is a complete object that can be written back.
        Assert.NotNull(decoded);
        if (decoded["kind"] is not null)
        {
            try
            {
                ProtobufCodec.Encode(decoded);
            }
            catch (ProtobufEncodeException)
            {
                // e.g. a RawExtension whose bytes were a mutated envelope of a kind without TypeMeta
            }
        }
    }

    private static List<(string, string)> AllKinds()
    {
        var kinds = new List<(string, string)>();
        if (Fixtures.Directory is not null)
        {
            foreach (var name in Fixtures.Names())
            {
                kinds.Add((ProtobufGoldenTests.ApiVersionOf(name), ProtobufGoldenTests.KindOf(name)));
            }
        }
        else
        {
            kinds.AddRange([("v1", "Pod"), ("v1", "Secret"), ("apps/v1", "Deployment"), ("v1", "Status"), ("v1", "DeleteOptions"), ("batch/v1", "Job"), ("v1", "Node"), ("v1", "Event")]);
        }

        return kinds;
    }
}
