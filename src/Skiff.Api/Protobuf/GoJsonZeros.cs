using System.Text.Json.Nodes;

namespace Skiff.Api.Protobuf;

/// <summary>
/// Adds to a built-in object the fields Go's <c>encoding/json</c> always writes for its type, so that what Skiff
/// stores and serves carries them as upstream's (which stores what Go serialised): a non-pointer struct is written
/// even when empty and even with <c>omitempty</c> (<c>"spec":{}</c>, <c>"status":{"replicas":0}</c>); a non-pointer
/// scalar without <c>omitempty</c> is written as its zero (<c>""</c>, <c>0</c>, <c>false</c>); the special structs
/// write their own zero (Duration <c>"0s"</c>, Quantity <c>"0"</c>, IntOrString <c>0</c>).
/// The facts (pointer, omitempty, inline, nesting) come from the generated protobuf schema, never from per-type lists.
/// <para>
/// Not added: the zeros Go writes as <c>null</c> (nil slices and maps without omitempty, a zero Time or MicroTime,
/// RawExtension, []byte): every client reads a JSON null and an absent key alike, and a stored null would only
/// weaken Skiff's own presence checks. Kinds without a schema (custom resources) are left as they are.
/// </para>
/// </summary>
public static class GoJsonZeros
{
    /// <summary>
    /// Fills <paramref name="obj"/> in place from its own <c>apiVersion</c>/<c>kind</c>; returns false (and changes
    /// nothing) when the kind has no Go type. Values already present are kept, only walked into. Existing fields keep
    /// their positions; added ones are appended to their object.
    /// </summary>
    public static bool Fill(JsonObject obj)
    {
        var apiVersion = obj["apiVersion"] is JsonValue av && av.TryGetValue<string>(out var a) ? a : null;
        var kind = obj["kind"] is JsonValue kv && kv.TryGetValue<string>(out var k) ? k : null;
        if (apiVersion is null || kind is null || !ProtoSchema.Instance.TryGetKind(apiVersion, kind, out var message))
        {
            return false;
        }

        FillMessage(obj, message, 0);
        return true;
    }

    /// <summary>Whether <paramref name="apiVersion"/>/<paramref name="kind"/> is a built-in kind whose zeros <see cref="Fill"/> adds.</summary>
    public static bool Knows(string apiVersion, string kind) => ProtoSchema.Instance.TryGetKind(apiVersion, kind, out _);

    private const int MaxDepth = 64;

    private static void FillMessage(JsonObject obj, ProtoMessage message, int depth)
    {
        if (depth > MaxDepth)
        {
            return;
        }

        foreach (var field in message.Fields)
        {
            if (field.Inline)
            {
                FillMessage(obj, field.Message!, depth + 1);
                continue;
            }

            var present = obj.TryGetPropertyValue(field.JsonName, out var value) && value is not null;
            if (present)
            {
                WalkPresent(value!, field, depth);
            }
            else if (ZeroOf(field, depth) is { } zero)
            {
                obj[field.JsonName] = zero;
            }
        }
    }

    /// <summary>Walks into a present value whose type is a plain message (or a list or map of them).</summary>
    private static void WalkPresent(JsonNode value, ProtoField field, int depth)
    {
        if (field.Type != ProtoType.Message || field.Message!.Special != SpecialType.None)
        {
            return;
        }

        switch (field.Label)
        {
            case ProtoLabel.Optional when value is JsonObject o:
                FillMessage(o, field.Message, depth + 1);
                break;
            case ProtoLabel.Repeated when value is JsonArray arr:
                foreach (var item in arr)
                {
                    if (item is JsonObject io)
                    {
                        FillMessage(io, field.Message, depth + 1);
                    }
                }

                break;
            case ProtoLabel.Map when value is JsonObject map:
                foreach (var entry in map)
                {
                    if (entry.Value is JsonObject eo)
                    {
                        FillMessage(eo, field.Message, depth + 1);
                    }
                }

                break;
        }
    }

    /// <summary>What Go writes for an absent (zero) field, or null when it writes nothing or a JSON null.</summary>
    private static JsonNode? ZeroOf(ProtoField field, int depth)
    {
        if (field.Pointer || field.Label != ProtoLabel.Optional)
        {
            return null;
        }

        switch (field.Type)
        {
            case ProtoType.String when !field.OmitEmpty:
                return JsonValue.Create("");
            case ProtoType.Bool when !field.OmitEmpty:
                return JsonValue.Create(false);
            case ProtoType.Int32 or ProtoType.Int64 when !field.OmitEmpty:
                return JsonValue.Create(0);
            case ProtoType.Message:
                // Go's omitempty never omits a struct: every non-pointer struct field is written.
                switch (field.Message!.Special)
                {
                    case SpecialType.None:
                        var o = new JsonObject();
                        FillMessage(o, field.Message, depth + 1);
                        return o;
                    case SpecialType.Duration:
                        return JsonValue.Create("0s");
                    case SpecialType.Quantity:
                        return JsonValue.Create("0");
                    case SpecialType.IntOrString:
                        return JsonValue.Create(0);
                    default:
                        return null;
                }

            default:
                return null;
        }
    }
}
