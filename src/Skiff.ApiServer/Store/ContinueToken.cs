using System.Text;
using System.Text.Json.Nodes;
using Skiff.ApiServer.Interim;

namespace Skiff.ApiServer.Store;

/// <summary>Upstream's continue token: base64 of <c>{"v":"meta.k8s.io/v1","rv":N,"start":"&lt;key&gt;\u0000"}</c>.</summary>
internal static class ContinueToken
{
    public static string Encode(long revision, string lastKeyRelative)
    {
        var json = new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = revision, ["start"] = lastKeyRelative + "\u0000" };
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(json.ToJsonString()));
    }

    /// <summary>Decodes a token into its revision and the key (relative to the resource prefix) to start after.</summary>
    public static (long Revision, string StartAfter) Decode(string token)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(Convert.FromBase64String(token));
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            throw Errors.BadRequest($"continue key is not valid: {e.Message}");
        }

        if (node?["v"]?.GetValue<string>() != "meta.k8s.io/v1")
        {
            throw Errors.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
        }

        var rv = node["rv"]?.GetValue<long>() ?? 0;
        var start = node["start"]?.GetValue<string>() ?? "";
        if (rv <= 0 || start.Length == 0 || start.Contains("..", StringComparison.Ordinal) || start.StartsWith('/'))
        {
            throw Errors.BadRequest("continue key is not valid: invalid start key");
        }

        return (rv, start.TrimEnd('\u0000'));
    }
}
