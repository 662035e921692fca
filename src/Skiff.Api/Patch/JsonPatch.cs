using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Internal;

namespace Skiff.Api.Patch;

/// <summary>
/// RFC 6902 JSON Patch (<c>application/json-patch+json</c>) with the semantics of the library upstream's API server
/// uses (evanphx/json-patch v4): add/remove/replace/move/copy/test, RFC 6901 pointer escaping (<c>~0</c>, <c>~1</c>),
/// <c>-</c> to append, negative array indices (an insert counts from the grown array: <c>-1</c> appends), replace of a
/// missing object member sets it, replace and test of the document root (<c>""</c>), no other operation on the root. The input document is not
/// modified; failures throw <see cref="PatchException"/> (400 when the patch is malformed, 422 when it does not apply).
/// </summary>
public static class JsonPatch
{
    /// <summary>Upstream's cap on operations in one patch (413 above it; checked by the caller).</summary>
    public const int MaxOperations = 10000;

    /// <summary>Parses a patch document; throws a 400 <see cref="PatchException"/> when it is not an array of operations.</summary>
    public static JsonArray Decode(string patchJson)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(patchJson);
        }
        catch (JsonException e)
        {
            throw new PatchException(e.Message);
        }

        return node switch
        {
            JsonArray a when a.All(op => op is JsonObject || op is null) => a,
            JsonArray => throw new PatchException("json: cannot unmarshal array into Go value of type jsonpatch.Operation"),
            JsonObject => throw new PatchException("json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
            _ => throw new PatchException($"json: cannot unmarshal {Describe(node)} into Go value of type jsonpatch.Patch"),
        };
    }

    /// <summary>Applies a decoded patch to a copy of <paramref name="document"/> and returns the result.</summary>
    public static JsonNode Apply(JsonNode document, JsonArray patch)
    {
        var root = new JsonArray(document.DeepClone());
        foreach (var opNode in patch)
        {
            var op = opNode as JsonObject ?? new JsonObject();
            var kind = JsonUtil.GetString(op["op"]) ?? "";
            switch (kind)
            {
                case "add":
                {
                    var path = Path(op, "path", "add operation failed to decode path");
                    var (con, key) = Find(root, path);
                    if (con is null)
                    {
                        throw Unprocessable($"add operation does not apply: doc is missing path: \"{path}\": missing value");
                    }

                    Add(con, key, Value(op), path, "error in add for path: '" + path + "'");
                    break;
                }

                case "remove":
                {
                    var path = Path(op, "path", "remove operation failed to decode path");
                    var (con, key) = Find(root, path);
                    if (con is null)
                    {
                        throw Unprocessable($"remove operation does not apply: doc is missing path: \"{path}\": missing value");
                    }

                    Remove(con, key, "error in remove for path: '" + path + "'");
                    break;
                }

                case "replace":
                {
                    var path = Path(op, "path", "replace operation failed to decode path");
                    if (path.Length == 0)
                    {
                        // v4 replaces the whole document with an object or array value; any other value changes nothing.
                        var whole = Value(op);
                        if (whole is JsonObject or JsonArray)
                        {
                            root[0] = whole;
                        }

                        break;
                    }

                    var (con, key) = Find(root, path);
                    if (con is null)
                    {
                        throw Unprocessable($"replace operation does not apply: doc is missing path: {path}: missing value");
                    }

                    // v4 looks the key up with a get that never fails for an object member, so replacing a missing
                    // member sets it, as add does; only an array index out of range is "missing".
                    if (con is JsonArray && !Has(con, key))
                    {
                        throw Unprocessable($"replace operation does not apply: doc is missing key: {path}: missing value");
                    }

                    Set(con, key, Value(op));
                    break;
                }

                case "move":
                {
                    var from = Path(op, "from", "move operation failed to decode from");
                    var (con, key) = Find(root, from);
                    if (con is null)
                    {
                        throw Unprocessable($"move operation does not apply: doc is missing from path: {from}: missing value");
                    }

                    var val = Get(con, key, "error in move for path: '" + key + "'");
                    Remove(con, key, "error in move for path: '" + key + "'");
                    var path = Path(op, "path", "move operation failed to decode path");
                    (con, key) = Find(root, path);
                    if (con is null)
                    {
                        throw Unprocessable($"move operation does not apply: doc is missing destination path: {path}: missing value");
                    }

                    Add(con, key, val, path, "error in move for path: '" + path + "'");
                    break;
                }

                case "copy":
                {
                    var from = Path(op, "from", "copy operation failed to decode from");
                    var (con, key) = Find(root, from);
                    if (con is null)
                    {
                        throw Unprocessable($"copy operation does not apply: doc is missing from path: {from}: missing value");
                    }

                    var val = Get(con, key, "error in copy for from: '" + from + "'");
                    var path = Path(op, "path", "copy operation failed to decode path");
                    (con, key) = Find(root, path);
                    if (con is null)
                    {
                        throw Unprocessable($"copy operation does not apply: doc is missing destination path: {path}: missing value");
                    }

                    Add(con, key, val?.DeepClone(), path, "error while adding value during copy");
                    break;
                }

                case "test":
                {
                    var path = Path(op, "path", "test operation failed to decode path");
                    var want = op["value"];
                    if (path.Length == 0)
                    {
                        // v4 compares the whole document.
                        if (!JsonEquality.Equal(root[0], want))
                        {
                            throw Unprocessable($"testing value {path} failed: test failed");
                        }

                        break;
                    }

                    var (con, key) = Find(root, path);
                    if (con is null)
                    {
                        throw Unprocessable($"test operation does not apply: is missing path: {path}: missing value");
                    }

                    // A missing object member equals only a null (or absent) value; a present member compares by value
                    // (a JSON null member against a null value is equal too).
                    var val = Get(con, key, "error in test for path: '" + path + "'");
                    if (!JsonEquality.Equal(val, want))
                    {
                        throw Unprocessable($"testing value {path} failed: test failed");
                    }

                    break;
                }

                default:
                    throw Unprocessable("Unexpected kind: " + kind);
            }
        }

        var result = root[0] ?? throw Unprocessable("result is null");
        root.Clear();
        return result;
    }

    /// <summary>Decodes and applies in one step.</summary>
    public static JsonNode Apply(JsonNode document, string patchJson) => Apply(document, Decode(patchJson));

    private static PatchException Unprocessable(string message) => new(message, unprocessable: true);

    private static string Path(JsonObject op, string field, string error) =>
        JsonUtil.GetString(op[field]) ?? throw Unprocessable(error + ": missing value");

    private static JsonNode? Value(JsonObject op) => op["value"]?.DeepClone();

    private static string Unescape(string token) => token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    /// <summary>Resolves all but the last token; the root is wrapped in an array so a container is always returned.</summary>
    private static (JsonNode? Container, string Key) Find(JsonArray root, string path)
    {
        var split = path.Split('/');
        if (split.Length < 2)
        {
            return (null, "");
        }

        JsonNode? doc = root[0];
        if (doc is not (JsonObject or JsonArray))
        {
            return (null, "");
        }

        for (var i = 1; i < split.Length - 1; i++)
        {
            var part = Unescape(split[i]);
            JsonNode? next;
            if (doc is JsonObject o)
            {
                next = o.TryGetPropertyValue(part, out var n) ? n : null;
            }
            else
            {
                var a = (JsonArray)doc!;
                next = TryIndex(a, part, out var idx) && idx < a.Count ? a[idx] : null;
            }

            if (next is not (JsonObject or JsonArray))
            {
                return (null, "");
            }

            doc = next;
        }

        return (doc, Unescape(split[^1]));
    }

    private static bool TryIndex(JsonArray a, string key, out int idx)
    {
        if (!int.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out idx))
        {
            return false;
        }

        if (idx < 0)
        {
            if (idx < -a.Count)
            {
                return false;
            }

            idx += a.Count;
        }

        return true;
    }

    private static int Index(JsonArray a, string key, bool forInsert)
    {
        if (!int.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var idx))
        {
            throw Unprocessable($"strconv.Atoi: parsing {Validation.GoFormat.Quote(key)}: invalid syntax");
        }

        // v4 counts an insert position against the array grown by one: add at -1 appends, at -(n+1) prepends.
        var size = forInsert ? a.Count + 1 : a.Count;
        if (idx < -size || idx >= size)
        {
            throw Unprocessable($"Unable to access invalid index: {idx}: invalid index referenced");
        }

        return idx < 0 ? idx + size : idx;
    }

    private static bool Has(JsonNode con, string key)
    {
        if (con is JsonObject o)
        {
            return o.ContainsKey(key);
        }

        var a = (JsonArray)con;
        return TryIndex(a, key, out var idx) && idx < a.Count;
    }

    private static JsonNode? Get(JsonNode con, string key, string context)
    {
        if (con is JsonObject o)
        {
            return o.TryGetPropertyValue(key, out var v) ? v : null;
        }

        var a = (JsonArray)con;
        try
        {
            return a[Index(a, key, false)];
        }
        catch (PatchException e)
        {
            throw Unprocessable(context + ": " + e.Message);
        }
    }

    private static void Add(JsonNode con, string key, JsonNode? value, string path, string context)
    {
        if (con is JsonObject o)
        {
            o[key] = value;
            return;
        }

        var a = (JsonArray)con;
        if (key == "-")
        {
            a.Add(value);
            return;
        }

        try
        {
            a.Insert(Index(a, key, true), value);
        }
        catch (PatchException e)
        {
            throw Unprocessable(context + ": " + e.Message);
        }
    }

    private static void Set(JsonNode con, string key, JsonNode? value)
    {
        if (con is JsonObject o)
        {
            o[key] = value;
            return;
        }

        var a = (JsonArray)con;
        var idx = Index(a, key, false);
        a[idx] = value;
    }

    private static void Remove(JsonNode con, string key, string context)
    {
        if (con is JsonObject o)
        {
            if (!o.Remove(key))
            {
                throw Unprocessable($"{context}: Unable to remove nonexistent key: {key}: missing value");
            }

            return;
        }

        var a = (JsonArray)con;
        try
        {
            a.RemoveAt(Index(a, key, false));
        }
        catch (PatchException e)
        {
            throw Unprocessable(context + ": " + e.Message);
        }
    }

    private static string Describe(JsonNode? node) => JsonEquality.Kind(node) switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "null",
    };
}
