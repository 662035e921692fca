using System.Text.Json;
using System.Text.Json.Nodes;
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
    public JsonNode? Decode(ReadOnlyMemory<byte> body)
    {
        try
        {
            return JsonNode.Parse(body.Span, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = true });
        }
        catch (JsonException e)
        {
            throw Interim.Errors.BadRequest($"couldn't get version/kind; json parse error: {e.Message}");
        }
    }

    /// <summary>Lists the paths of duplicated object fields in <paramref name="body"/> (<c>metadata.name</c>).</summary>
    public static IReadOnlyList<string> FindDuplicateFields(ReadOnlySpan<byte> body)
    {
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
