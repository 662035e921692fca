using System.Text.Json.Nodes;
using Skiff.Api.Protobuf;
using Xunit;
using Xunit.Abstractions;

namespace Skiff.Api.Tests.Protobuf;

/// <summary>Golden tests over upstream's 171 round-trip fixtures: .pb decodes to the .json object, and that
/// object encodes back to the .pb bytes exactly.</summary>
public sealed class ProtobufGoldenTests(ITestOutputHelper output)
{
    public static TheoryData<string> FixtureNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in Fixtures.Names())
        {
            data.Add(name);
        }

        if (data.Count == 0)
        {
            data.Add("(fixtures absent)");
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(FixtureNames))]
    public void Decode_Fixture_EqualsUpstreamJson(string name)
    {
        Skip.If(Fixtures.Directory is null, Fixtures.SkipReason);
        var (pb, json) = Load(name);

        var decoded = ProtobufCodec.Decode(pb, ApiVersionOf(name), KindOf(name));

        var diff = JsonEquality.FirstDifference(json, decoded);
        Assert.True(diff is null, $"{name}: {diff}");
    }

    [SkippableTheory]
    [MemberData(nameof(FixtureNames))]
    public void Encode_FixtureJson_EqualsUpstreamBytes(string name)
    {
        Skip.If(Fixtures.Directory is null, Fixtures.SkipReason);
        var (pb, json) = Load(name);

        var encoded = ProtobufCodec.Encode(json, ApiVersionOf(name), KindOf(name));

        AssertBytes(name, pb, encoded);
    }

    [SkippableTheory]
    [MemberData(nameof(FixtureNames))]
    public void Decode_Fixture_KeepsUpstreamPropertyOrder(string name)
    {
        Skip.If(Fixtures.Directory is null, Fixtures.SkipReason);
        var (pb, json) = Load(name);

        var decoded = ProtobufCodec.Decode(pb, ApiVersionOf(name), KindOf(name));

        Assert.Equal(json.ToJsonString(), decoded.ToJsonString());
    }

    [SkippableFact]
    public void AllFixtures_RoundTrip_ByteExactCount()
    {
        Skip.If(Fixtures.Directory is null, Fixtures.SkipReason);
        var names = Fixtures.Names().ToList();
        var exact = 0;
        foreach (var name in names)
        {
            var (pb, _) = Load(name);
            var again = ProtobufCodec.Encode(ProtobufCodec.Decode(pb, ApiVersionOf(name), KindOf(name)), ApiVersionOf(name), KindOf(name));
            if (again.AsSpan().SequenceEqual(pb))
            {
                exact++;
            }
            else
            {
                output.WriteLine($"not byte-exact: {name}");
            }
        }

        output.WriteLine($"{exact} of {names.Count} fixtures round-trip byte-exactly");
        Assert.Equal(names.Count, exact);
    }

    /// <summary>"apps.v1.Deployment" → "apps/v1"; "core.v1.Pod" → "v1".</summary>
    internal static string ApiVersionOf(string name)
    {
        var parts = name.Split('.');
        var group = string.Join('.', parts[..^2]);
        return group == "core" ? parts[^2] : $"{group}/{parts[^2]}";
    }

    internal static string KindOf(string name) => name.Split('.')[^1];

    private static (byte[] Pb, JsonObject Json) Load(string name)
    {
        var pb = File.ReadAllBytes(Path.Combine(Fixtures.Directory!, name + ".pb"));
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(Fixtures.Directory!, name + ".json")))!.AsObject();
        return (pb, json);
    }

    private static void AssertBytes(string name, byte[] expected, byte[] actual)
    {
        var n = Math.Min(expected.Length, actual.Length);
        var i = 0;
        while (i < n && expected[i] == actual[i])
        {
            i++;
        }

        Assert.True(i == expected.Length && i == actual.Length,
            $"{name}: bytes differ at offset {i} (expected {expected.Length} bytes, got {actual.Length}); expected …{Convert.ToHexString(expected.AsSpan(Math.Max(0, i - 8), Math.Min(24, expected.Length - Math.Max(0, i - 8))))}, got …{Convert.ToHexString(actual.AsSpan(Math.Max(0, i - 8), Math.Min(24, actual.Length - Math.Max(0, i - 8))))}");
    }
}
