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
/// can reproduce; Skiff hashes the template's canonical JSON (<see cref="Canonical(V1PodTemplateSpec?)"/>), so the value
/// is stable across restarts, processes and wire formats but differs from the one upstream would pick for the same
/// template.
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
        hash = Fnv32a.Add(hash, Encoding.UTF8.GetBytes(Canonical(template)));
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

    /// <summary>
    /// The template as canonical JSON: object keys sorted; null, false, 0, "" and empty objects and arrays dropped
    /// (array elements kept, an emptied one as <c>{}</c>). What protobuf carries as explicit zeros and JSON omits thus
    /// reads the same, so the hash and <see cref="DeploymentUtil.EqualIgnoreHash"/> do not depend on the wire format.
    /// </summary>
    internal static string Canonical(V1PodTemplateSpec? template) =>
        Normalize(JsonSerializer.SerializeToNode(template, KubernetesSerialization.Options))?.ToJsonString() ?? "{}";

    /// <summary>The canonical form of <paramref name="node"/> (see <see cref="Canonical(V1PodTemplateSpec?)"/>); null when it is all zeros.</summary>
    internal static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                var result = new JsonObject();
                foreach (var (k, v) in o.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (Normalize(v) is { } n)
                    {
                        result[k] = n;
                    }
                }

                return result.Count == 0 ? null : result;
            case JsonArray a:
                return a.Count == 0 ? null : new JsonArray([.. a.Select(x => Normalize(x) ?? new JsonObject())]);
            case JsonValue v:
                return v.GetValueKind() switch
                {
                    JsonValueKind.False or JsonValueKind.Null => null,
                    JsonValueKind.String when v.GetValue<string>().Length == 0 => null,
                    JsonValueKind.Number when v.ToJsonString() is "0" or "0.0" => null,
                    _ => v.DeepClone(),
                };
            default:
                return null;
        }
    }
}
