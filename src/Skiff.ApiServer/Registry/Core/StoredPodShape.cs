using System.Text.Json;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>The state of a stored pod's PodScheduled condition.</summary>
internal enum ConditionState
{
    /// <summary>No PodScheduled condition.</summary>
    Absent,

    /// <summary>PodScheduled with status True.</summary>
    True,

    /// <summary>PodScheduled with any other status.</summary>
    NotTrue,
}

/// <summary>
/// Where in a pod's stored JSON a binding writes (<see cref="PodBinding.TryApplyStored"/>): one forward read with
/// <see cref="Utf8JsonReader"/>, offsets into the bytes, nothing decoded but the strings it checks.
/// </summary>
internal readonly record struct StoredPodShape(
    string? Uid,
    bool BeingDeleted,
    string? AssignedNode,
    (int Start, int Length)? NodeNameValue,
    int SpecEnd,
    bool SpecEmpty,
    int StatusEnd,
    bool StatusEmpty,
    int? ConditionsEnd,
    bool ConditionsEmpty,
    ConditionState PodScheduled)
{
    /// <summary>Reads the shape; null when spec or status is not an object or conditions not an array.</summary>
    public static StoredPodShape? Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var shape = new StoredPodShape(null, false, null, null, -1, true, -1, true, null, true, ConditionState.Absent);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var which = reader.ValueTextEquals("metadata"u8) ? 1 : reader.ValueTextEquals("spec"u8) ? 2 : reader.ValueTextEquals("status"u8) ? 3 : 0;
            reader.Read();
            var ok = which switch
            {
                1 => ReadMetadata(ref reader, ref shape),
                2 => ReadSpec(ref reader, ref shape),
                3 => ReadStatus(ref reader, ref shape),
                _ => Skip(ref reader),
            };
            if (!ok)
            {
                return null;
            }
        }

        return shape.SpecEnd < 0 || shape.StatusEnd < 0 ? null : shape;
    }

    private static bool Skip(ref Utf8JsonReader reader)
    {
        reader.Skip();
        return true;
    }

    private static bool ReadMetadata(ref Utf8JsonReader reader, ref StoredPodShape shape)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return Skip(ref reader);
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var which = reader.ValueTextEquals("deletionTimestamp"u8) ? 1 : reader.ValueTextEquals("uid"u8) ? 2 : 0;
            reader.Read();
            if (which == 1 && reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
            {
                shape = shape with { BeingDeleted = true };
            }
            else if (which == 2 && reader.TokenType == JsonTokenType.String)
            {
                shape = shape with { Uid = reader.GetString() };
            }

            reader.Skip();
        }

        return true;
    }

    private static bool ReadSpec(ref Utf8JsonReader reader, ref StoredPodShape shape)
    {
        if (!ReadObject(ref reader, ref shape, "nodeName"u8, ReadNodeName, out var end, out var empty))
        {
            return false;
        }

        shape = shape with { SpecEnd = end, SpecEmpty = empty };
        return true;
    }

    private static bool ReadNodeName(ref Utf8JsonReader reader, ref StoredPodShape shape)
    {
        if (reader.TokenType == JsonTokenType.String && reader.ValueSpan.Length > 0)
        {
            shape = shape with { AssignedNode = reader.GetString() };
        }

        var start = (int)reader.TokenStartIndex;
        reader.Skip();
        shape = shape with { NodeNameValue = (start, (int)reader.BytesConsumed - start) };
        return true;
    }

    private static bool ReadStatus(ref Utf8JsonReader reader, ref StoredPodShape shape)
    {
        if (!ReadObject(ref reader, ref shape, "conditions"u8, ReadConditions, out var end, out var empty))
        {
            return false;
        }

        shape = shape with { StatusEnd = end, StatusEmpty = empty };
        return true;
    }

    private delegate bool ValueReader(ref Utf8JsonReader reader, ref StoredPodShape shape);

    /// <summary>
    /// Reads an object's properties, handing <paramref name="key"/>'s value to <paramref name="read"/> and skipping the
    /// rest; <paramref name="end"/> is the offset of its closing brace. False when it is not an object or
    /// <paramref name="read"/> refuses the value.
    /// </summary>
    private static bool ReadObject(ref Utf8JsonReader reader, ref StoredPodShape shape, ReadOnlySpan<byte> key, ValueReader read, out int end, out bool empty)
    {
        (end, empty) = (-1, true);
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return false;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            empty = false;
            var wanted = reader.ValueTextEquals(key);
            reader.Read();
            if (!wanted)
            {
                reader.Skip();
            }
            else if (!read(ref reader, ref shape))
            {
                return false;
            }
        }

        end = (int)reader.TokenStartIndex;
        return true;
    }

    private static bool ReadConditions(ref Utf8JsonReader reader, ref StoredPodShape shape)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return false;
        }

        var empty = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            empty = false;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            var (scheduled, isTrue) = (false, false);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var which = reader.ValueTextEquals("type"u8) ? 1 : reader.ValueTextEquals("status"u8) ? 2 : 0;
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && which == 1)
                {
                    scheduled = reader.ValueTextEquals("PodScheduled"u8);
                }
                else if (reader.TokenType == JsonTokenType.String && which == 2)
                {
                    isTrue = reader.ValueTextEquals("True"u8);
                }

                reader.Skip();
            }

            if (scheduled && shape.PodScheduled == ConditionState.Absent)
            {
                shape = shape with { PodScheduled = isTrue ? ConditionState.True : ConditionState.NotTrue };
            }
        }

        shape = shape with { ConditionsEnd = (int)reader.TokenStartIndex, ConditionsEmpty = empty };
        return true;
    }
}
