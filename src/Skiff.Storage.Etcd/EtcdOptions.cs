namespace Skiff.Storage.Etcd;

/// <summary>
/// How <see cref="EtcdStorage"/> reaches etcd: the member endpoints (as given to <c>--etcd-servers</c>) and the time
/// bounds that keep every call finite.
/// </summary>
/// <remarks>
/// Every operation, including its fail-over to other members, completes or fails within <see cref="RequestTimeout"/>
/// (plus the time to resolve an ambiguous write, bounded by the same budget); an etcd that cannot be reached at all
/// surfaces as <see cref="StorageUnavailableException"/> naming the endpoints.
/// </remarks>
public sealed record EtcdOptions
{
    /// <summary>The client URLs of the etcd members, e.g. <c>http://127.0.0.1:2379</c>; at least one.</summary>
    public required IReadOnlyList<Uri> Endpoints { get; init; }

    /// <summary>How long <see cref="EtcdStorage.ConnectAsync"/> tries before giving up, and the TCP connect timeout.</summary>
    public TimeSpan DialTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The budget of one operation across all its attempts and fail-overs.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The deadline of one attempt on one member before the client tries another.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a watch with progress notification asks etcd for a progress report, on etcd versions that answer such
    /// requests in order (3.4.31+, 3.5.13+). Older servers are not asked: their periodic notifications are used instead.
    /// </summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Parses a comma-separated endpoint list as given to <c>--etcd-servers</c>; entries without a scheme get <c>http://</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty or an entry is not a valid URL.</exception>
    public static EtcdOptions Parse(string servers)
    {
        ArgumentNullException.ThrowIfNull(servers);
        var endpoints = new List<Uri>();
        foreach (var raw in servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var text = raw.Contains("://", StringComparison.Ordinal) ? raw : "http://" + raw;
            if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                throw new ArgumentException($"invalid etcd server URL: {raw}", nameof(servers));
            }

            endpoints.Add(uri);
        }

        if (endpoints.Count == 0)
        {
            throw new ArgumentException("no etcd server given", nameof(servers));
        }

        return new EtcdOptions { Endpoints = endpoints };
    }
}
