using YamlDotNet.RepresentationModel;

namespace Skiff.Client.Config;

/// <summary>
/// Reads kubeconfig files with clientcmd's rules: <c>KUBECONFIG</c> may list several files (separated by
/// <see cref="Path.PathSeparator"/>); for each cluster, user and context name the first file that defines it wins, as
/// does the first non-empty <c>current-context</c>; missing files in the list are skipped; relative paths are resolved
/// against the directory of the file they appear in. Without <c>KUBECONFIG</c>, <c>~/.kube/config</c> is read.
/// </summary>
public static class KubeConfigLoader
{
    /// <summary>The files the default loading rules read, in precedence order.</summary>
    public static IReadOnlyList<string> DefaultPaths()
    {
        var env = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (!string.IsNullOrEmpty(env))
        {
            return env.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        }

        var home = Environment.GetEnvironmentVariable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return [Path.Combine(home, ".kube", "config")];
    }

    /// <summary>Loads and merges <see cref="DefaultPaths"/>; null when none of the files exists.</summary>
    public static KubeConfig? LoadDefault()
    {
        var paths = DefaultPaths().Where(File.Exists).ToList();
        return paths.Count == 0 ? null : Merge(paths.Select(LoadFile));
    }

    /// <summary>Loads one file.</summary>
    public static KubeConfig LoadFile(string path)
    {
        var full = Path.GetFullPath(path);
        return Parse(File.ReadAllText(full), Path.GetDirectoryName(full));
    }

    /// <summary>Merges configs: the first one to define a name (or a current context) wins.</summary>
    public static KubeConfig Merge(IEnumerable<KubeConfig> configs)
    {
        var clusters = new Dictionary<string, KubeCluster>();
        var users = new Dictionary<string, KubeUser>();
        var contexts = new Dictionary<string, KubeContext>();
        string? current = null;
        foreach (var c in configs)
        {
            foreach (var (k, v) in c.Clusters)
            {
                clusters.TryAdd(k, v);
            }

            foreach (var (k, v) in c.Users)
            {
                users.TryAdd(k, v);
            }

            foreach (var (k, v) in c.Contexts)
            {
                contexts.TryAdd(k, v);
            }

            if (string.IsNullOrEmpty(current))
            {
                current = c.CurrentContext;
            }
        }

        return new KubeConfig { Clusters = clusters, Users = users, Contexts = contexts, CurrentContext = current };
    }

    /// <summary>Parses kubeconfig YAML; relative paths are resolved against <paramref name="baseDirectory"/> when given.</summary>
    /// <exception cref="FormatException">The YAML is malformed or a <c>*-data</c> field is not base64.</exception>
    public static KubeConfig Parse(string yaml, string? baseDirectory = null)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new FormatException($"invalid kubeconfig: {e.Message}", e);
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return new KubeConfig();
        }

        string? P(string? p) => string.IsNullOrEmpty(p) || baseDirectory is null || Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(baseDirectory, p));

        var clusters = new Dictionary<string, KubeCluster>();
        foreach (var (name, m) in Named(root, "clusters", "cluster"))
        {
            clusters.TryAdd(name, new KubeCluster
            {
                Server = Str(m, "server") ?? "",
                CertificateAuthority = P(Str(m, "certificate-authority")),
                CertificateAuthorityData = Bytes(m, "certificate-authority-data"),
                InsecureSkipTlsVerify = string.Equals(Str(m, "insecure-skip-tls-verify"), "true", StringComparison.OrdinalIgnoreCase),
                TlsServerName = Str(m, "tls-server-name"),
                ProxyUrl = Str(m, "proxy-url"),
            });
        }

        var users = new Dictionary<string, KubeUser>();
        foreach (var (name, m) in Named(root, "users", "user"))
        {
            users.TryAdd(name, new KubeUser
            {
                ClientCertificate = P(Str(m, "client-certificate")),
                ClientCertificateData = Bytes(m, "client-certificate-data"),
                ClientKey = P(Str(m, "client-key")),
                ClientKeyData = Bytes(m, "client-key-data"),
                Token = Str(m, "token"),
                TokenFile = P(Str(m, "tokenFile")),
                Username = Str(m, "username"),
                Password = Str(m, "password"),
            });
        }

        var contexts = new Dictionary<string, KubeContext>();
        foreach (var (name, m) in Named(root, "contexts", "context"))
        {
            contexts.TryAdd(name, new KubeContext
            {
                Cluster = Str(m, "cluster") ?? "",
                User = Str(m, "user") ?? "",
                Namespace = Str(m, "namespace"),
            });
        }

        return new KubeConfig { Clusters = clusters, Users = users, Contexts = contexts, CurrentContext = Str(root, "current-context") };
    }

    private static IEnumerable<(string Name, YamlMappingNode Body)> Named(YamlMappingNode root, string list, string field)
    {
        if (!root.Children.TryGetValue(new YamlScalarNode(list), out var node) || node is not YamlSequenceNode seq)
        {
            yield break;
        }

        foreach (var entry in seq.Children.OfType<YamlMappingNode>())
        {
            var name = Str(entry, "name");
            if (string.IsNullOrEmpty(name))
            {
                continue;
            }

            var body = entry.Children.TryGetValue(new YamlScalarNode(field), out var b) && b is YamlMappingNode bm ? bm : new YamlMappingNode();
            yield return (name, body);
        }
    }

    private static string? Str(YamlMappingNode m, string key)
        => m.Children.TryGetValue(new YamlScalarNode(key), out var n) && n is YamlScalarNode s ? s.Value : null;

    private static byte[]? Bytes(YamlMappingNode m, string key)
    {
        var s = Str(m, key);
        if (string.IsNullOrEmpty(s))
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(s);
        }
        catch (FormatException e)
        {
            throw new FormatException($"kubeconfig field {key} is not valid base64", e);
        }
    }
}
