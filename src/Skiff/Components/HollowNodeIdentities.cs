using Skiff.ApiServer.Security;
using Skiff.Kubelet.Hollow;

namespace Skiff.Components;

/// <summary>
/// The per-node bearer tokens of the hollow nodes that <c>skiff up --hollow-nodes N</c> runs, shared by the API server
/// (they join its token file, as kubemark's <c>known_tokens.csv</c>: <c>system:node:NAME</c> in <c>system:nodes</c>)
/// and the hollow kubelet (each node writes with its own; see <see cref="HollowNodeOptions.NodeToken"/>). Filled while
/// the host is composed, before either starts.
/// </summary>
internal sealed class HollowNodeIdentities
{
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    /// <summary>Generates a token for each node of <paramref name="options"/> and returns the options that use them.</summary>
    public HollowNodeOptions Issue(HollowNodeOptions options)
    {
        foreach (var (name, token) in HollowNodeTokens.Generate(HollowNodeTokens.NodeNames(options)))
        {
            _tokens[name] = token;
        }

        return options with { NodeToken = name => _tokens.GetValueOrDefault(name) };
    }

    /// <summary>The token file entries of the issued tokens.</summary>
    public IEnumerable<KeyValuePair<string, UserInfo>> Users => _tokens.Select(t =>
        KeyValuePair.Create(t.Value, new UserInfo(HollowNodeTokens.NodeUserPrefix + t.Key, null, [HollowNodeTokens.NodesGroup])));
}
