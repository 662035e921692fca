namespace Skiff;

/// <summary>The parsed <c>skiff up|apiserver</c> command line.</summary>
internal sealed record CommandLine
{
    public const string Usage = """
        usage: skiff up|apiserver [--data-dir DIR] [--port 6443] [--storage sqlite|memory|etcd] [--etcd-servers URL,...] [--token-auth-file FILE]

          --data-dir DIR         where certificates, admin.kubeconfig and (sqlite) data live
                                 (default: $SKIFF_DATA_DIR, else ~/.skiff)
          --port N               HTTPS port on 127.0.0.1 (default 6443; 0 = any free port)
          --storage KIND         sqlite (default: DIR/skiff.db) | memory (lost on exit) | etcd
          --etcd-servers URLS    comma-separated etcd client URLs (with --storage etcd)
          --token-auth-file F    static bearer tokens, CSV: token,user,uid,"group1,group2"
        """;

    public string Command { get; init; } = "up";
    public string DataDirectory { get; init; } = "";
    public int Port { get; init; } = 6443;
    public string Storage { get; init; } = "sqlite";
    public IReadOnlyList<string> EtcdServers { get; init; } = [];
    public string? TokenFile { get; init; }
    public bool Help { get; init; }

    public static string DefaultDataDirectory() =>
        Environment.GetEnvironmentVariable("SKIFF_DATA_DIR") is { Length: > 0 } d
            ? d
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".skiff");

    public static CommandLine Parse(string[] args)
    {
        if (args.Length == 0)
        {
            throw new UsageException("missing command");
        }

        if (args[0] is "-h" or "--help" or "help")
        {
            return new CommandLine { Help = true };
        }

        if (args[0] is not ("up" or "apiserver"))
        {
            throw new UsageException($"unknown command \"{args[0]}\"");
        }

        var result = new CommandLine { Command = args[0], DataDirectory = DefaultDataDirectory() };
        for (var i = 1; i < args.Length; i++)
        {
            var arg = args[i];
            string? inline = null;
            var eq = arg.IndexOf('=');
            if (arg.StartsWith("--", StringComparison.Ordinal) && eq > 0)
            {
                inline = arg[(eq + 1)..];
                arg = arg[..eq];
            }

            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Length)
                {
                    throw new UsageException($"flag needs an argument: {arg}");
                }

                return args[++i];
            }

            switch (arg)
            {
                case "-h" or "--help":
                    return result with { Help = true };
                case "--data-dir":
                    result = result with { DataDirectory = Path.GetFullPath(Value()) };
                    break;
                case "--port":
                {
                    var v = Value();
                    if (!int.TryParse(v, out var port) || port < 0 || port > 65535)
                    {
                        throw new UsageException($"invalid port \"{v}\"");
                    }

                    result = result with { Port = port };
                    break;
                }

                case "--storage":
                {
                    var v = Value();
                    if (v is not ("memory" or "sqlite" or "etcd"))
                    {
                        throw new UsageException($"invalid storage \"{v}\": must be memory, sqlite or etcd");
                    }

                    result = result with { Storage = v };
                    break;
                }

                case "--etcd-servers":
                    result = result with { EtcdServers = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) };
                    break;
                case "--token-auth-file":
                    result = result with { TokenFile = Path.GetFullPath(Value()) };
                    break;
                default:
                    throw new UsageException($"unknown flag: {arg}");
            }
        }

        if (result.Storage == "etcd" && result.EtcdServers.Count == 0)
        {
            throw new UsageException("--storage etcd needs --etcd-servers");
        }

        return result;
    }
}

/// <summary>A command-line error (exit code 2).</summary>
internal sealed class UsageException(string message) : Exception(message);
