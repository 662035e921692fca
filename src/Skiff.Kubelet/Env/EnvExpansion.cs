using System.Text;
using k8s.Models;

namespace Skiff.Kubelet.Env;

/// <summary>
/// Upstream's <c>third_party/forked/golang/expansion</c>: <c>$(VAR)</c> references in env values, commands and args.
/// A reference to a defined variable becomes its value; an undefined one stays as written; <c>$$</c> is an escaped
/// <c>$</c>; a <c>$</c> not followed by <c>(</c> or <c>$</c> (and an unterminated <c>$(</c>) is copied as is. Values
/// are not expanded recursively.
/// </summary>
public static class EnvExpansion
{
    private const char Operator = '$';
    private const char Opener = '(';
    private const char Closer = ')';

    /// <summary>A lookup over <paramref name="contexts"/> in order (first hit wins); a miss returns <c>$(name)</c> unchanged.</summary>
    public static Func<string, string> MappingFor(params IReadOnlyDictionary<string, string>[] contexts) => name =>
    {
        foreach (var vars in contexts)
        {
            if (vars.TryGetValue(name, out var value))
            {
                return value;
            }
        }

        return $"{Operator}{Opener}{name}{Closer}";
    };

    /// <summary>Expands the references in <paramref name="input"/> through <paramref name="mapping"/>.</summary>
    public static string Expand(string input, Func<string, string> mapping)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(mapping);
        if (!input.Contains(Operator, StringComparison.Ordinal))
        {
            return input;
        }

        var buf = new StringBuilder(input.Length);
        var checkpoint = 0;
        for (var cursor = 0; cursor < input.Length; cursor++)
        {
            if (input[cursor] != Operator || cursor + 1 >= input.Length)
            {
                continue;
            }

            buf.Append(input, checkpoint, cursor - checkpoint);
            var (read, isVar, advance) = TryReadVariableName(input.AsSpan(cursor + 1));
            buf.Append(isVar ? mapping(read) : read);
            cursor += advance;
            checkpoint = cursor + 1;
        }

        return buf.Append(input, checkpoint, input.Length - checkpoint).ToString();
    }

    /// <summary>
    /// Upstream <c>ExpandContainerCommandOnlyStatic</c> (exec probes): expands <paramref name="command"/> with the
    /// container's literal env values only (a valueFrom variable counts as empty).
    /// </summary>
    public static IReadOnlyList<string> ExpandCommandOnlyStatic(IEnumerable<string>? command, IEnumerable<V1EnvVar>? env)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var e in env ?? [])
        {
            vars[e.Name] = e.Value ?? string.Empty;
        }

        var mapping = MappingFor(vars);
        return [.. (command ?? []).Select(c => Expand(c, mapping))];
    }

    // What follows an operator: an escaped operator, a complete $(name), or something to copy through.
    private static (string Read, bool IsVar, int Advance) TryReadVariableName(ReadOnlySpan<char> input)
    {
        switch (input[0])
        {
            case Operator:
                return (Operator.ToString(), false, 1);
            case Opener:
                for (var i = 1; i < input.Length; i++)
                {
                    if (input[i] == Closer)
                    {
                        return (input[1..i].ToString(), true, i + 1);
                    }
                }

                return ($"{Operator}{Opener}", false, 1);
            default:
                return ($"{Operator}{input[0]}", false, 1);
        }
    }
}
