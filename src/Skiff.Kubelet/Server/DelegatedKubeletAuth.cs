using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Models;
using Skiff.Client.Typed;

namespace Skiff.Kubelet.Server;

/// <summary>
/// <see cref="IKubeletDelegatedAuth"/> through the API server with the kubelet's own client: TokenReview
/// (<c>authentication.k8s.io/v1</c>) for bearer tokens, cached 2 minutes (upstream's
/// <c>--authentication-token-webhook-cache-ttl</c>), and SubjectAccessReview (<c>authorization.k8s.io/v1</c>) for
/// requests, allowed answers cached 5 minutes and denied ones 30 seconds (upstream's webhook authorizer defaults).
/// </summary>
public sealed class DelegatedKubeletAuth(Clientset client, string nodeName, TimeProvider? clock = null) : IKubeletDelegatedAuth
{
    private static readonly TimeSpan TokenTtl = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan AllowedTtl = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan DeniedTtl = TimeSpan.FromSeconds(30);
    private const int MaxEntries = 4096;
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConcurrentDictionary<string, (KubeletUser? User, DateTimeOffset Until)> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (bool Allowed, DateTimeOffset Until)> _decisions = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public async Task<KubeletUser?> AuthenticateTokenAsync(string token, CancellationToken ct)
    {
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var now = _clock.GetUtcNow();
        if (_tokens.TryGetValue(key, out var cached) && cached.Until > now)
        {
            return cached.User;
        }

        var review = new V1TokenReview { ApiVersion = "authentication.k8s.io/v1", Kind = "TokenReview", Spec = new V1TokenReviewSpec { Token = token } };
        var r = await client.Rest.Post().ApiVersion("authentication.k8s.io/v1").Resource("tokenreviews").Body(review).DoAsync(ct).ConfigureAwait(false);
        var status = KubernetesJson.Deserialize<V1TokenReview>(Encoding.UTF8.GetString(r.Body)).Status;
        var user = status is { Authenticated: true, User: { } u }
            ? new KubeletUser(u.Username, [.. u.Groups ?? []], u.Uid, u.Extra?.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)[.. kv.Value], StringComparer.Ordinal))
            : null;
        Remember(_tokens, key, (user, now + TokenTtl));
        return user;
    }

    /// <inheritdoc />
    public async Task<bool> AuthorizeAsync(KubeletUser user, string verb, string subresource, CancellationToken ct)
    {
        var key = string.Join('\u0000', [user.Name, user.Uid ?? "", string.Join(',', user.Groups), verb, subresource,
            string.Join(';', (user.Extra ?? new Dictionary<string, IReadOnlyList<string>>()).OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + string.Join(',', kv.Value)))]);
        var now = _clock.GetUtcNow();
        if (_decisions.TryGetValue(key, out var cached) && cached.Until > now)
        {
            return cached.Allowed;
        }

        var review = new V1SubjectAccessReview
        {
            ApiVersion = "authorization.k8s.io/v1",
            Kind = "SubjectAccessReview",
            Spec = new V1SubjectAccessReviewSpec
            {
                User = user.Name,
                Groups = [.. user.Groups],
                Uid = user.Uid,
                Extra = user.Extra?.ToDictionary(kv => kv.Key, kv => (IList<string>)[.. kv.Value]),
                ResourceAttributes = new V1ResourceAttributes { Verb = verb, Version = "v1", Resource = "nodes", Subresource = subresource, Name = nodeName },
            },
        };
        var r = await client.Rest.Post().ApiVersion("authorization.k8s.io/v1").Resource("subjectaccessreviews").Body(review).DoAsync(ct).ConfigureAwait(false);
        var allowed = KubernetesJson.Deserialize<V1SubjectAccessReview>(Encoding.UTF8.GetString(r.Body)).Status?.Allowed == true;
        Remember(_decisions, key, (allowed, now + (allowed ? AllowedTtl : DeniedTtl)));
        return allowed;
    }

    private static void Remember<T>(ConcurrentDictionary<string, T> cache, string key, T value)
    {
        if (cache.Count >= MaxEntries)
        {
            cache.Clear();
        }

        cache[key] = value;
    }
}
