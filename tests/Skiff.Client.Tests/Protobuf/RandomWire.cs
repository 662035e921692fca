using System.Reflection;
using k8s.Models;
using Skiff.Api.Protobuf;

namespace Skiff.Client.Tests.Protobuf;

/// <summary>Seeded random, well-formed protobuf envelopes of the built-in kinds that have a KubernetesClient model: each
/// field present or absent, zero or not, repeated and map fields with 0–3 entries, special types with valid values.</summary>
internal sealed class RandomWire(int seed)
{
    private static readonly string[] Quantities = ["0", "1", "100m", "1.5", "128Mi", "2Gi", "1e3", "500u", "3k"];
    private static readonly string[] Raws = ["{}", "{\"a\":1,\"b\":[true,null,\"x\"]}", "[1,2]", "\"s\"", "{\"f:metadata\":{\"f:name\":{}}}"];
    private static readonly string[] Words = ["", "a", "web", "kube-system", "ünïcode ✓", "x/y:z", "long-" + new string('q', 140)];

    private readonly Random _random = new(seed);

    /// <summary>The kinds with a model type and a protobuf message.</summary>
    public static IReadOnlyList<(string ApiVersion, string Kind, Type Type)> Kinds { get; } = typeof(V1Pod).Assembly.GetExportedTypes()
        .Select(t => (Type: t, Entity: t.GetCustomAttribute<KubernetesEntityAttribute>()))
        .Where(x => x.Entity is { Kind.Length: > 0 })
        .Select(x => (ApiVersion: string.IsNullOrEmpty(x.Entity!.Group) ? x.Entity.ApiVersion : $"{x.Entity.Group}/{x.Entity.ApiVersion}", x.Entity.Kind, x.Type))
        .Where(x => x.Type != typeof(V1Status) && ProtobufCodec.CanEncode(x.ApiVersion, x.Kind))
        .OrderBy(x => x.Type.Name, StringComparer.Ordinal)
        .ToList();

    public (byte[] Envelope, Type Type) Next()
    {
        var (apiVersion, kind, type) = Kinds[_random.Next(Kinds.Count)];
        ProtoSchema.Instance.TryGetKind(apiVersion, kind, out var message);
        using var w = new ProtoWriter();
        w.WriteRaw("k8s\0"u8);
        w.WriteTag(1, 2);
        var tm = w.BeginLength();
        w.WriteTag(1, 2);
        w.WriteString(apiVersion);
        w.WriteTag(2, 2);
        w.WriteString(kind);
        w.EndLength(tm);
        w.WriteTag(2, 2);
        var raw = w.BeginLength();
        Message(w, message!, 0);
        w.EndLength(raw);
        return (w.ToArray(), type);
    }

    private void Message(ProtoWriter w, ProtoMessage message, int depth)
    {
        var fields = message.Fields.ToArray();
        if (_random.Next(4) == 0)
        {
            _random.Shuffle(fields); // gogo writes in number order, but any order is valid protobuf
        }

        foreach (var field in fields)
        {
            if (_random.Next(depth < 3 ? 3 : 6) != 0)
            {
                continue; // absent
            }

            var count = field.Label == ProtoLabel.Optional ? 1 : _random.Next(0, 4);
            for (var i = 0; i < count; i++)
            {
                if (field.Label == ProtoLabel.Map)
                {
                    w.WriteTag(field.Number, 2);
                    var mark = w.BeginLength();
                    w.WriteTag(1, 2);
                    w.WriteString(Words[_random.Next(4)] + i);
                    if (_random.Next(5) != 0)
                    {
                        Value(w, 2, field, depth);
                    }

                    w.EndLength(mark);
                }
                else
                {
                    Value(w, field.Number, field, depth);
                }
            }
        }
    }

    private void Value(ProtoWriter w, int number, ProtoField field, int depth)
    {
        switch (field.Type)
        {
            case ProtoType.String:
                w.WriteTag(number, 2);
                w.WriteString(Words[_random.Next(Words.Length)]);
                return;
            case ProtoType.Bytes:
                var bytes = new byte[_random.Next(3) * 7];
                _random.NextBytes(bytes);
                w.WriteTag(number, 2);
                w.WriteBytes(bytes);
                return;
            case ProtoType.Bool:
                w.WriteTag(number, 0);
                w.WriteVarint((ulong)_random.Next(2));
                return;
            case ProtoType.Int32:
                w.WriteTag(number, 0);
                w.WriteVarint((ulong)(long)(_random.Next(3) == 0 ? 0 : _random.Next(-5, 100000)));
                return;
            case ProtoType.Int64:
                w.WriteTag(number, 0);
                w.WriteVarint((ulong)(_random.Next(3) == 0 ? 0 : _random.NextInt64(-5, long.MaxValue / 2)));
                return;
        }

        var message = field.Message!;
        w.WriteTag(number, 2);
        var mark = w.BeginLength();
        switch (message.Special)
        {
            case SpecialType.Time:
            case SpecialType.MicroTime:
                if (_random.Next(4) != 0)
                {
                    w.WriteTag(1, 0);
                    w.WriteVarint((ulong)_random.NextInt64(-62135596800, 253402300799));
                    w.WriteTag(2, 0);
                    w.WriteVarint((ulong)_random.Next(0, 1_000_000_000));
                }

                break;
            case SpecialType.Duration:
                w.WriteTag(1, 0);
                w.WriteVarint((ulong)_random.NextInt64(0, 100_000_000_000));
                break;
            case SpecialType.Quantity:
                w.WriteTag(1, 2);
                w.WriteString(Quantities[_random.Next(Quantities.Length)]);
                break;
            case SpecialType.IntOrString:
                var isString = _random.Next(2) == 0;
                w.WriteTag(1, 0);
                w.WriteVarint(isString ? 1UL : 0UL);
                w.WriteTag(2, 0);
                w.WriteVarint((ulong)(long)_random.Next(-3, 70000));
                w.WriteTag(3, 2);
                w.WriteString(isString ? "25%" : string.Empty);
                break;
            case SpecialType.RawExtension:
            case SpecialType.FieldsV1:
                if (_random.Next(4) != 0)
                {
                    w.WriteTag(1, 2);
                    w.WriteString(Raws[_random.Next(Raws.Length)]);
                }

                break;
            case SpecialType.StringList:
                for (var i = _random.Next(3); i > 0; i--)
                {
                    w.WriteTag(1, 2);
                    w.WriteString(Words[_random.Next(4)]);
                }

                break;
            default:
                if (depth < 12)
                {
                    Message(w, message, depth + 1);
                }

                break;
        }

        w.EndLength(mark);
    }
}
