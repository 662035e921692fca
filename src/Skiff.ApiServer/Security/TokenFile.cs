namespace Skiff.ApiServer.Security;

/// <summary>
/// Static bearer tokens in upstream's <c>--token-auth-file</c> CSV format: <c>token,user,uid[,"group1,group2"]</c>,
/// one per line; blank lines and lines starting with '#' are ignored.
/// </summary>
public sealed class TokenFile
{
    private readonly Dictionary<string, UserInfo> _tokens;

    private TokenFile(Dictionary<string, UserInfo> tokens) => _tokens = tokens;

    /// <summary>No tokens.</summary>
    public static TokenFile Empty { get; } = new(new Dictionary<string, UserInfo>(StringComparer.Ordinal));

    /// <summary>The tokens of <paramref name="users"/> (token → user), as if read from a file.</summary>
    public static TokenFile From(IEnumerable<KeyValuePair<string, UserInfo>> users) => new(new Dictionary<string, UserInfo>(users, StringComparer.Ordinal));

    /// <summary>These tokens and <paramref name="more"/> (which win on a clash).</summary>
    public TokenFile With(IEnumerable<KeyValuePair<string, UserInfo>> more)
    {
        var tokens = new Dictionary<string, UserInfo>(_tokens, StringComparer.Ordinal);
        foreach (var (token, user) in more)
        {
            tokens[token] = user;
        }

        return new TokenFile(tokens);
    }

    /// <summary>Parses the file at <paramref name="path"/>.</summary>
    /// <exception cref="FormatException">A line has fewer than three fields.</exception>
    public static TokenFile Load(string path)
    {
        var tokens = new Dictionary<string, UserInfo>(StringComparer.Ordinal);
        var lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = SplitCsv(line);
            if (fields.Count < 3)
            {
                throw new FormatException($"token file {path}, line {lineNo}: expected token,user,uid[,groups]");
            }

            var groups = fields.Count > 3 && fields[3].Length > 0
                ? fields[3].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                : [];
            tokens[fields[0]] = new UserInfo(fields[1], fields[2], groups);
        }

        return new TokenFile(tokens);
    }

    /// <summary>The user of <paramref name="token"/>, or null.</summary>
    public UserInfo? Find(string token) => _tokens.GetValueOrDefault(token);

    private static List<string> SplitCsv(string line)
    {
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    current.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    current.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(current.ToString().Trim());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        fields.Add(current.ToString().Trim());
        return fields;
    }
}
