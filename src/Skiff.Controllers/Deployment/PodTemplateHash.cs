using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Rest;

namespace Skiff.Controllers.Deployment;

/// <summary>
/// The <c>pod-template-hash</c> label value (upstream's <c>controller.ComputeHash</c>): FNV-32a of the pod template,
/// then — when the Deployment has a <c>collisionCount</c> — of that count as 8 little-endian bytes, printed in decimal
/// and passed through <see cref="SafeEncode"/>. Upstream hashes Go's spew dump of its struct, which no other language
/// can reproduce; Skiff hashes the template's canonical JSON (keys sorted at every level, absent fields omitted), so
/// the value is stable across restarts and processes but differs from the one upstream would pick for the same template.
/// </summary>
internal static class PodTemplateHash
{
    /// <summary>The label on ReplicaSets, their selectors and their pods.</summary>
    public const string Label = "pod-template-hash";

    // k8s.io/apimachinery/pkg/util/rand: no vowels (no words), no confusable characters.
    private const string Alphanums = "bcdfghjklmnpqrstvwxz2456789";

    /// <summary>The hash of <paramref name="template"/> with <paramref name="collisionCount"/>.</summary>
    public static string Compute(V1PodTemplateSpec template, int? collisionCount)
    {
        var hash = Fnv32a.Offset;
        hash = Fnv32a.Add(hash, Encoding.UTF8.GetBytes(Canonical(JsonSerializer.SerializeToNode(template, KubernetesSerialization.Options))));
        if (collisionCount is { } c)
        {
            Span<byte> bytes = stackalloc byte[8];
            bytes.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, unchecked((uint)c));
            hash = Fnv32a.Add(hash, bytes);
        }

        return SafeEncode(hash.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Upstream's <c>rand.SafeEncodeString</c>: every byte mapped to <c>bcdfghjklmnpqrstvwxz2456789</c>[byte mod 27].</summary>
    public static string SafeEncode(string s)
    {
        var bytes = Encoding.UTF8.GetBytes(s);
        var chars = new char[bytes.Length];
        for (var i = 0; i < bytes.Length; i++)
        {
            chars[i] = Alphanums[bytes[i] % Alphanums.Length];
        }

        return new string(chars);
    }

    private static string Canonical(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(node, sb);
        return sb.ToString();
    }

    private static void Write(JsonNode? node, StringBuilder sb)
    {
        switch (node)
        {
            case JsonObject o:
                sb.Append('{');
                var first = true;
                foreach (var (k, v) in o.Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    sb.Append(first ? "" : ",").Append(JsonSerializer.Serialize(k)).Append(':');
                    Write(v, sb);
                    first = false;
                }

                sb.Append('}');
                break;
            case JsonArray a:
                sb.Append('[');
                for (var i = 0; i < a.Count; i++)
                {
                    sb.Append(i == 0 ? "" : ",");
                    Write(a[i], sb);
                }

                sb.Append(']');
                break;
            case null:
                sb.Append("null");
                break;
            default:
                sb.Append(node.ToJsonString());
                break;
        }
    }
}
