using System.Text.Encodings.Web;
using System.Text.Json;

namespace Skiff.Api.Apply;

/// <summary>Serializer options for path element texts (no HTML escaping, like Go's encoder for these).</summary>
internal static class Json
{
    public static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
