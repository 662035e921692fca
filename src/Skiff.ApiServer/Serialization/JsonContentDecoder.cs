using Skiff.Api.Errors;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skiff.Api.Serialization;
using Skiff.ApiServer.Http;

namespace Skiff.ApiServer.Serialization;

/// <summary>Decodes <c>application/json</c> bodies (and the JSON-based patch types).</summary>
public sealed class JsonContentDecoder : IContentDecoder
{
    /// <summary>The shared instance.</summary>
    public static JsonContentDecoder Instance { get; } = new();

    /// <inheritdoc/>
    public IReadOnlyList<string> MediaTypes { get; } = ["application/json"];

    /// <inheritdoc/>
    public JsonNode? Decode(ReadOnlyMemory<byte> body) => Decode(body, out _);

    /// <summary>As <see cref="Decode(ReadOnlyMemory{byte})"/>; <paramref name="duplicates"/> tells whether some object
    /// had a field twice (only then is <see cref="FindDuplicateFields"/> worth its pass over the text).</summary>
    public JsonNode? Decode(ReadOnlyMemory<byte> body, out bool duplicates)
    {
        try
        {
            return ParseLastWins(body.Span, out duplicates);
        }
        catch (JsonException e)
        {
            throw StatusErrors.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
    }

    /// <summary>
    /// Parses JSON as Go's decoder reads it: invalid UTF-8 and escapes of lone surrogates become U+FFFD, and duplicate
    /// object fields are allowed, the last occurrence winning;
    /// <see cref="JsonNode.Parse(ReadOnlySpan{byte}, JsonNodeOptions?, JsonDocumentOptions)"/> would keep both and
    /// fail on first access.
    /// </summary>
    public static JsonNode? ParseLastWins(ReadOnlySpan<byte> json) => ParseLastWins(json, out _);

    /// <summary>As <see cref="ParseLastWins(ReadOnlySpan{byte})"/>, telling whether there were duplicate fields.</summary>
    public static JsonNode? ParseLastWins(ReadOnlySpan<byte> json, out bool duplicates)
    {
        // Invalid UTF-8 and escapes of lone surrogates read as U+FFFD, as Go's decoder reads them (System.Text.Json
        // would accept them here and throw when the string is read).
        json = GoJsonText.Repair(json);

        // Fast path: documents without duplicates (nearly all) parse straight into nodes.
        duplicates = false;
        try
        {
            return JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            // Duplicates (rebuilt below, last wins) or malformed JSON (rethrown by the parse below).
        }

        using var doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = true });
        duplicates = true;
        return Build(doc.RootElement);
    }

    private static JsonNode? Build(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.Object:
            {
                var o = new JsonObject();
                foreach (var p in e.EnumerateObject())
                {
                    o[p.Name] = Build(p.Value);
                }

                return o;
            }

            case JsonValueKind.Array:
            {
                var a = new JsonArray();
                foreach (var item in e.EnumerateArray())
                {
                    a.Add(Build(item));
                }

                return a;
            }

            case JsonValueKind.Null:
            case JsonValueKind.Undefined:
                return null;
            default:
                return JsonValue.Create(e.Clone());
        }
    }

    /// <summary>Lists the paths of duplicated object fields in <paramref name="body"/> (<c>metadata.name</c>).</summary>
    public static IReadOnlyList<string> FindDuplicateFields(ReadOnlySpan<byte> body)
    {
        body = GoJsonText.Repair(body);
        var result = new List<string>();
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
        var stack = new Stack<(HashSet<string>? Names, string Path)>();
        string? pendingName = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                    {
                        var parentPath = stack.Count > 0 ? stack.Peek().Path : "";
                        var path = pendingName is null ? parentPath : (parentPath.Length == 0 ? pendingName : parentPath + "." + pendingName);
                        stack.Push((reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null, path));
                        pendingName = null;
                        break;
                    }

                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        stack.Pop();
                        break;
                    case JsonTokenType.PropertyName:
                    {
                        var name = reader.GetString()!;
                        var (names, path) = stack.Peek();
                        if (names is not null && !names.Add(name))
                        {
                            result.Add(path.Length == 0 ? name : path + "." + name);
                        }

                        pendingName = name;
                        break;
                    }

                    default:
                        pendingName = null;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed input is reported by Decode.
        }

        return result;
    }
}
