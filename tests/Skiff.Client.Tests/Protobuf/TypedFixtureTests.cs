using Skiff.Client.Protobuf;
using Xunit;
using Xunit.Abstractions;

namespace Skiff.Client.Tests.Protobuf;

/// <summary>
/// Over upstream's round-trip fixtures whose kind has a KubernetesClient model: the typed codec decodes to what the
/// JSON object path gives (same KubernetesJson serialization), encodes to the same bytes, and round-trips the fixture
/// bytes wherever the JSON object path does.
/// </summary>
public sealed class TypedFixtureTests(ITestOutputHelper output)
{
    public static TheoryData<string> ModelFixtures()
    {
        var data = new TheoryData<string>();
        // core.v1.Status is left out: V1Status has KubernetesClient's own converter, so it always takes the JSON object
        // path (the coverage test below asserts that it is the only fallback).
        foreach (var name in Fixtures.Names().Where(n => Fixtures.ModelType(n) is not null && n != "core.v1.Status"))
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
    [MemberData(nameof(ModelFixtures))]
    public void Decode_Fixture_SerializesLikeJsonObjectPath(string name)
    {
        Skip.If(Fixtures.Directory is null, Fixtures.SkipReason);
        var (pb, type) = (Fixtures.Bytes(name), Fixtures.ModelType(name)!);
        var old = TryOld(() => OldPath.Decode(pb, type));

        var typed = OldPath.TypedDecode(pb, type);

        Skip.If(typed is null, $"{name}: {type.Name} falls back to the JSON object path");
        Assert.IsType(type, typed);
        Skip.If(old is null, $"{name}: the JSON object path cannot decode it");
        Assert.Equal(OldPath.Json(old), OldPath.Json(typed));
    }

    [SkippableTheory]
    [MemberData(nameof(ModelFixtures))]
    public void Encode_FixtureModel_EqualsJsonObjectPathBytes(string name)
    {
        Skip.If(Fixtures.Directory is null, Fixtures.SkipReason);
        var (pb, type) = (Fixtures.Bytes(name), Fixtures.ModelType(name)!);
        var model = TryOld(() => OldPath.Decode(pb, type));
        Skip.If(model is null, $"{name}: the JSON object path cannot decode it");
        var old = TryOld(() => OldPath.Encode(model));
        Skip.If(old is null, $"{name}: the JSON object path cannot encode it");

        var typed = OldPath.TypedEncode(model);

        Skip.If(typed is null, $"{name}: {type.Name} falls back to the JSON object path");
        AssertBytes(name, old, typed);
    }

    [SkippableTheory]
    [MemberData(nameof(ModelFixtures))]
    public void DecodeEncode_Fixture_GivesFixtureBytesWhereJsonObjectPathDoes(string name)
    {
        Skip.If(Fixtures.Directory is null, Fixtures.SkipReason);
        var (pb, type) = (Fixtures.Bytes(name), Fixtures.ModelType(name)!);
        var oldAgain = TryOld(() => OldPath.Encode(OldPath.Decode(pb, type)));
        Skip.If(oldAgain is null || !oldAgain.AsSpan().SequenceEqual(pb), $"{name}: the JSON object path does not round-trip it");
        var typed = OldPath.TypedDecode(pb, type);
        Skip.If(typed is null, $"{name}: {type.Name} falls back to the JSON object path");

        var again = OldPath.TypedEncode(typed);

        AssertBytes(name, pb, again!);
    }

    [SkippableFact]
    public void Coverage_ModelFixtures_ReportsBoundAndFallbacks()
    {
        Skip.If(Fixtures.Directory is null, Fixtures.SkipReason);
        var names = Fixtures.Names().ToList();
        int bound = 0, oldRoundTrips = 0, typedRoundTrips = 0;
        var fallbacks = new List<string>();
        foreach (var name in names)
        {
            if (Fixtures.ModelType(name) is not { } type)
            {
                fallbacks.Add($"{name}: no KubernetesClient model");
                continue;
            }

            var pb = Fixtures.Bytes(name);
            if (!ProtobufModelCodec.CanBind(type, Fixtures.ApiVersionOf(name), Fixtures.KindOf(name)))
            {
                var message = Skiff.Api.Protobuf.ProtoSchema.Instance.TryGetKind(Fixtures.ApiVersionOf(name), Fixtures.KindOf(name), out var m) ? m : null;
                fallbacks.Add($"{name}: {type.Name} not bindable: {(message is null ? "no message" : ModelBinders.FailureReason(message, type))}");
                continue;
            }

            bound++;
            var oldAgain = TryOld(() => OldPath.Encode(OldPath.Decode(pb, type)));
            if (oldAgain is not null && oldAgain.AsSpan().SequenceEqual(pb))
            {
                oldRoundTrips++;
                if (OldPath.TypedEncode(OldPath.TypedDecode(pb, type)!)!.AsSpan().SequenceEqual(pb))
                {
                    typedRoundTrips++;
                }
            }
        }

        output.WriteLine($"{names.Count} fixtures; {bound} decoded/encoded by the typed codec; {oldRoundTrips} round-trip byte-exactly through the JSON object path, {typedRoundTrips} through the typed codec");
        foreach (var f in fallbacks)
        {
            output.WriteLine("fallback: " + f);
        }

        Assert.True(bound > 0);
        Assert.Equal(oldRoundTrips, typedRoundTrips);
        // Only V1Status, which KubernetesClient reads with its own converter (an object view of non-Status bodies).
        Assert.Equal(["core.v1.Status"], fallbacks.Where(f => f.Contains("not bindable", StringComparison.Ordinal)).Select(f => f[..f.IndexOf(':', StringComparison.Ordinal)]));
    }

    private static T? TryOld<T>(Func<T> f)
        where T : class
    {
        try
        {
            return f();
        }
        catch (Exception)
        {
            return null;
        }
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
