using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skiff.ApiServer.Registry.Core;

/// <summary>
/// <see cref="Apply"/> on a pod's stored bytes: the binding's changes spliced into the JSON without decoding the pod
/// into a <see cref="JsonObject"/> and encoding it again. The result is byte for byte what decoding, <see cref="Apply"/>
/// and the store's encoding give (new keys appended to their object, changed values in place); the shapes it does not
/// handle (binding annotations, a PodScheduled condition not True, a missing spec or status) are left to <see cref="Apply"/>.
/// </summary>
public static partial class PodBinding
{
    private static readonly JavaScriptEncoder StoredStrings = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>
    /// Splices <paramref name="binding"/> into <paramref name="stored"/> (a pod as the store writes it at
    /// <paramref name="key"/>: compact JSON, no resourceVersion, relaxed escaping; <paramref name="resourceVersion"/> is
    /// its revision). Returns null when the shape needs <see cref="Apply"/>.
    /// </summary>
    /// <exception cref="Skiff.Api.Errors.StatusException">409 when a precondition fails or the pod is already assigned or being deleted.</exception>
    public static byte[]? TryApplyStored(ReadOnlySpan<byte> stored, string key, string resourceVersion, string name, JsonObject binding, DateTimeOffset now)
    {
        if (JsonPath.Obj(binding, "metadata", "annotations") is { Count: > 0 })
        {
            return null;
        }

        var shape = StoredPodShape.Read(stored);
        if (shape is null)
        {
            return null;
        }

        CheckPreconditions(binding, key, name, shape.Value.Uid ?? "", resourceVersion);
        if (shape.Value.BeingDeleted)
        {
            throw Conflict(name, $"pod {name} is being deleted, cannot be assigned to a host");
        }

        if (shape.Value.AssignedNode is { } assigned)
        {
            throw Conflict(name, $"pod {name} is already assigned to node {Rules.Q(assigned)}");
        }

        var s = shape.Value;
        if (s.PodScheduled == ConditionState.NotTrue)
        {
            return null;
        }

        var node = JsonEncodedText.Encode(JsonPath.Str(binding, "target", "name") ?? "", StoredStrings).EncodedUtf8Bytes;
        var nodeSplice = s.NodeNameValue is { } value
            ? new Splice(value.Start, value.Length, Concat("\""u8, node, "\""u8))
            : new Splice(s.SpecEnd, 0, Concat(s.SpecEmpty ? ""u8 : ","u8, "\"nodeName\":\""u8, node, "\""u8));
        Splice? conditionSplice = null;
        if (s.PodScheduled == ConditionState.Absent)
        {
            var time = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            var condition = Concat("{\"type\":\"PodScheduled\",\"status\":\"True\",\"lastProbeTime\":null,\"lastTransitionTime\":\""u8, System.Text.Encoding.ASCII.GetBytes(time), "\"}"u8);
            conditionSplice = s.ConditionsEnd is { } end
                ? new Splice(end, 0, Concat(s.ConditionsEmpty ? ""u8 : ","u8, condition))
                : new Splice(s.StatusEnd, 0, Concat(s.StatusEmpty ? ""u8 : ","u8, "\"conditions\":["u8, condition, "]"u8));
        }

        return conditionSplice is { } c ? Apply(stored, nodeSplice.At < c.At ? [nodeSplice, c] : [c, nodeSplice]) : Apply(stored, [nodeSplice]);
    }

    private static byte[] Apply(ReadOnlySpan<byte> stored, ReadOnlySpan<Splice> splices)
    {
        var length = stored.Length;
        foreach (var s in splices)
        {
            length += s.Insert.Length - s.Remove;
        }

        var result = new byte[length];
        var (from, to) = (0, 0);
        foreach (var s in splices)
        {
            stored[from..s.At].CopyTo(result.AsSpan(to));
            to += s.At - from;
            s.Insert.CopyTo(result.AsSpan(to));
            to += s.Insert.Length;
            from = s.At + s.Remove;
        }

        stored[from..].CopyTo(result.AsSpan(to));
        return result;
    }

    private static byte[] Concat(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, ReadOnlySpan<byte> c = default, ReadOnlySpan<byte> d = default)
    {
        var result = new byte[a.Length + b.Length + c.Length + d.Length];
        a.CopyTo(result);
        b.CopyTo(result.AsSpan(a.Length));
        c.CopyTo(result.AsSpan(a.Length + b.Length));
        d.CopyTo(result.AsSpan(a.Length + b.Length + c.Length));
        return result;
    }

    private readonly record struct Splice(int At, int Remove, byte[] Insert);
}
