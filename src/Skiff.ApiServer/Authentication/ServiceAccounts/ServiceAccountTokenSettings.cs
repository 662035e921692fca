namespace Skiff.ApiServer.Authentication.ServiceAccounts;

/// <summary>
/// The service-account token flags of the API server (upstream's <c>--service-account-*</c> and
/// <c>--api-audiences</c>).
/// </summary>
public sealed record ServiceAccountTokenSettings
{
    /// <summary>Upstream's default issuer.</summary>
    public const string DefaultIssuer = "https://kubernetes.default.svc.cluster.local";

    /// <summary>
    /// <c>--service-account-issuer</c>: the first signs new tokens; tokens of any of them are accepted. Also the OIDC
    /// discovery <c>issuer</c>.
    /// </summary>
    public IReadOnlyList<string> Issuers { get; init; } = [DefaultIssuer];

    /// <summary><c>--api-audiences</c>: the audiences the API server accepts (and TokenRequest defaults to); empty = the issuers.</summary>
    public IReadOnlyList<string> ApiAudiences { get; init; } = [];

    /// <summary><c>--service-account-signing-key-file</c>; null = <c>DATA_DIR/pki/sa.key</c>, created on first start.</summary>
    public string? SigningKeyFile { get; init; }

    /// <summary><c>--service-account-key-file</c>: further PEM files whose public keys verify tokens.</summary>
    public IReadOnlyList<string> KeyFiles { get; init; } = [];

    /// <summary><c>--service-account-max-token-expiration</c>; null = no cap.</summary>
    public TimeSpan? MaxTokenExpiration { get; init; }

    /// <summary>
    /// <c>--service-account-extend-token-expiration</c> (default true): a pod-bound request for exactly 3607 seconds
    /// gets a one-year token with <c>warnafter</c> at the requested expiry, as upstream does for the admission-injected volume.
    /// </summary>
    public bool ExtendTokenExpiration { get; init; } = true;

    /// <summary>The effective audiences: <see cref="ApiAudiences"/>, or the issuers when none are given.</summary>
    public IReadOnlyList<string> EffectiveAudiences => ApiAudiences.Count > 0 ? ApiAudiences : Issuers;
}
