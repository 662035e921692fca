using System.Collections.Concurrent;

namespace Skiff.Kubelet.Volumes;

/// <summary>
/// The kubelet's service-account token cache (upstream <c>pkg/kubelet/token/token_manager.go</c>): one token per
/// pod, service account, audience and expiration, fetched through TokenRequest and reused until it is older than 80 % of
/// its lifetime or 24 hours, whichever comes first. While a refresh fails the cached token is served until it expires.
/// </summary>
public sealed class ServiceAccountTokenManager(TimeProvider clock)
{
    /// <summary>The longest a token is used before a refresh (upstream's <c>maxTTL</c>).</summary>
    public static readonly TimeSpan MaxTtl = TimeSpan.FromHours(24);

    private readonly ConcurrentDictionary<Key, Entry> _tokens = new();

    /// <summary>What a token is requested for.</summary>
    /// <param name="PodUid">The pod the token is bound to.</param>
    /// <param name="Namespace">The pod's namespace.</param>
    /// <param name="ServiceAccount">The pod's service account.</param>
    /// <param name="Audience">The audience (empty: the API server's).</param>
    /// <param name="ExpirationSeconds">The requested lifetime.</param>
    public readonly record struct Key(string PodUid, string Namespace, string ServiceAccount, string Audience, long ExpirationSeconds);

    /// <summary>A fetched token and when it expires.</summary>
    public sealed record Token(string Value, DateTimeOffset ExpirationTimestamp);

    private sealed record Entry(Token Token, DateTimeOffset FetchedAt);

    /// <summary>The number of cached tokens.</summary>
    public int Count => _tokens.Count;

    /// <summary>
    /// The token for <paramref name="key"/>: the cached one while it is fresh, else a new one from
    /// <paramref name="fetch"/>; when the fetch fails (throws or returns null) the cached token while it has not expired,
    /// else the failure propagates (null, or the exception).
    /// </summary>
    public async Task<string?> GetAsync(Key key, Func<CancellationToken, Task<Token?>> fetch, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        _tokens.TryGetValue(key, out var cached);
        if (cached is not null && !RequiresRefresh(cached, now))
        {
            return cached.Token.Value;
        }

        Token? fresh;
        try
        {
            fresh = await fetch(ct).ConfigureAwait(false);
        }
        catch (Exception) when (cached is not null && now < cached.Token.ExpirationTimestamp && !ct.IsCancellationRequested)
        {
            return cached.Token.Value;
        }

        if (fresh is null)
        {
            return cached is not null && now < cached.Token.ExpirationTimestamp ? cached.Token.Value : null;
        }

        _tokens[key] = new Entry(fresh, now);
        return fresh.Value;
    }

    /// <summary>Drops every token of pod <paramref name="podUid"/> (it is gone).</summary>
    public void Forget(string podUid)
    {
        foreach (var key in _tokens.Keys)
        {
            if (key.PodUid == podUid)
            {
                _tokens.TryRemove(key, out _);
            }
        }
    }

    /// <summary>True once the token is past 80 % of its lifetime or 24 hours old.</summary>
    private static bool RequiresRefresh(Entry e, DateTimeOffset now)
    {
        var ttl = e.Token.ExpirationTimestamp - e.FetchedAt;
        var refreshAfter = TimeSpan.FromTicks(Math.Min(ttl.Ticks * 8 / 10, MaxTtl.Ticks));
        return now >= e.FetchedAt + refreshAfter;
    }
}
