using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Skiff.Kubelet.Hollow;

/// <summary>
/// Per-node bearer tokens for hollow nodes, as kubemark gives its hollow kubelets a token in the API server's
/// <c>--token-auth-file</c> (<c>known_tokens.csv</c>): one line per node, <c>token,system:node:NAME,uid,"system:nodes"</c>.
/// The API server then sees each node as <c>system:node:NAME</c> in <c>system:nodes</c> (Node authorizer,
/// NodeRestriction, one API Priority and Fairness flow per node), while the nodes share one connection pool.
/// </summary>
public static class HollowNodeTokens
{
    /// <summary>The user-name prefix of nodes (upstream's <c>system:node:</c>).</summary>
    public const string NodeUserPrefix = "system:node:";

    /// <summary>The group of nodes.</summary>
    public const string NodesGroup = "system:nodes";

    /// <summary>The node names of <paramref name="options"/>, in index order.</summary>
    public static IEnumerable<string> NodeNames(HollowNodeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Enumerable.Range(options.FirstIndex, options.Count).Select(i => options.NamePrefix + i.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>A fresh random token (128 bits, hex) per node name.</summary>
    public static Dictionary<string, string> Generate(IEnumerable<string> nodeNames)
    {
        ArgumentNullException.ThrowIfNull(nodeNames);
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        Span<byte> random = stackalloc byte[16];
        foreach (var name in nodeNames)
        {
            RandomNumberGenerator.Fill(random);
            tokens[name] = Convert.ToHexStringLower(random);
        }

        return tokens;
    }

    /// <summary>The token file lines (upstream's CSV) of <paramref name="tokens"/> (node name → token).</summary>
    public static string ToCsv(IReadOnlyDictionary<string, string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        var sb = new StringBuilder();
        foreach (var (name, token) in tokens)
        {
            sb.Append(token).Append(',').Append(NodeUserPrefix).Append(name).Append(",hollow:").Append(name).Append(",\"").Append(NodesGroup).Append("\"\n");
        }

        return sb.ToString();
    }

    /// <summary>
    /// The node tokens of a token file (node name → token): the lines whose user is <c>system:node:NAME</c>; others and
    /// comments are skipped.
    /// </summary>
    public static Dictionary<string, string> ParseCsv(IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split(',', 3);
            if (fields.Length >= 2 && fields[1].Trim().Trim('"') is var user && user.StartsWith(NodeUserPrefix, StringComparison.Ordinal) && user.Length > NodeUserPrefix.Length)
            {
                tokens[user[NodeUserPrefix.Length..]] = fields[0].Trim().Trim('"');
            }
        }

        return tokens;
    }

    /// <summary>
    /// <paramref name="options"/> whose nodes write with the tokens of a token file's <paramref name="lines"/>
    /// (<see cref="ParseCsv"/>), as a standalone <c>skiff kubelet --hollow --node-token-file</c> runs against the
    /// API server's <c>--token-auth-file</c>. Every node of the range needs a line: a node without one would write as
    /// the shared client, with rights the Node authorizer would not give it.
    /// </summary>
    /// <exception cref="InvalidDataException">A node of <paramref name="options"/> has no token in the file.</exception>
    public static HollowNodeOptions WithTokens(HollowNodeOptions options, IEnumerable<string> lines)
    {
        ArgumentNullException.ThrowIfNull(options);
        var tokens = ParseCsv(lines);
        var missing = NodeNames(options).Where(n => !tokens.ContainsKey(n)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidDataException(
                $"the token file has no {NodeUserPrefix}NAME line for {missing.Count} of the {options.Count} nodes (first: {missing[0]})");
        }

        return options with { NodeToken = tokens.GetValueOrDefault };
    }
}
