using System.Text;
using k8s.Models;
using Skiff.Kubelet.Env;

namespace Skiff.Kubelet.Pods;

/// <summary>The stand-in environment resolver until the full one is wired in: literal <c>value</c>s only, with upstream's
/// <c>$(VAR)</c> expansion of earlier variables (<c>$$</c> escapes); valueFrom and envFrom are ignored.</summary>
public sealed class LiteralEnvResolver : IContainerEnvResolver
{
    public Task<IReadOnlyList<KeyValuePair<string, string>>> ResolveAsync(V1Pod pod, V1Container container, PodNetworkInfo network, CancellationToken ct)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var result = new List<KeyValuePair<string, string>>();
        foreach (var e in container.Env ?? [])
        {
            if (e.ValueFrom is not null)
            {
                continue;
            }

            var value = Expand(e.Value ?? "", seen);
            seen[e.Name] = value;
            result.Add(new(e.Name, value));
        }

        return Task.FromResult<IReadOnlyList<KeyValuePair<string, string>>>(result);
    }

    /// <summary>Upstream's <c>expansion.Expand</c>: <c>$(NAME)</c> → value when known, else left as is; <c>$$</c> → <c>$</c>.</summary>
    public static string Expand(string input, IReadOnlyDictionary<string, string> vars)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] == '$' && i + 1 < input.Length)
            {
                if (input[i + 1] == '$')
                {
                    sb.Append('$');
                    i++;
                    continue;
                }

                if (input[i + 1] == '(' && input.IndexOf(')', i + 2) is var end && end > 0)
                {
                    var name = input[(i + 2)..end];
                    if (vars.TryGetValue(name, out var v))
                    {
                        sb.Append(v);
                    }
                    else
                    {
                        sb.Append(input, i, end - i + 1);
                    }

                    i = end;
                    continue;
                }
            }

            sb.Append(input[i]);
        }

        return sb.ToString();
    }
}
