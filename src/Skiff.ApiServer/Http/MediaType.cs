namespace Skiff.ApiServer.Http;

/// <summary>A parsed media type with its parameters (<c>application/json;as=Table;v=v1;g=meta.k8s.io</c>).</summary>
public sealed record MediaType(string Type, string SubType, IReadOnlyDictionary<string, string> Parameters)
{
    /// <summary><c>type/subtype</c>.</summary>
    public string Essence => $"{Type}/{SubType}";

    /// <summary>A parameter's value or null.</summary>
    public string? this[string name] => Parameters.TryGetValue(name, out var v) ? v : null;

    /// <summary>Parses one media type; null when it is malformed.</summary>
    public static MediaType? Parse(string text)
    {
        var pieces = text.Split(';');
        var essence = pieces[0].Trim().ToLowerInvariant();
        var slash = essence.IndexOf('/');
        if (slash <= 0 || slash == essence.Length - 1)
        {
            return null;
        }

        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in pieces.Skip(1))
        {
            var eq = p.IndexOf('=');
            if (eq > 0)
            {
                parameters[p[..eq].Trim()] = p[(eq + 1)..].Trim().Trim('"');
            }
        }

        return new MediaType(essence[..slash], essence[(slash + 1)..], parameters);
    }

    /// <summary>Parses an Accept header (comma-separated list), in order; malformed entries are skipped.</summary>
    public static IReadOnlyList<MediaType> ParseAccept(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return [new MediaType("*", "*", new Dictionary<string, string>())];
        }

        var result = new List<MediaType>();
        foreach (var entry in header.Split(','))
        {
            if (Parse(entry) is { } mt)
            {
                result.Add(mt);
            }
        }

        return result;
    }
}
