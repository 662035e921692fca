using System.Globalization;

namespace Skiff.Api.Certificates;

/// <summary>
/// Upstream's <c>cluster-bootstrap/util/secrets.GetExpiration</c>, shared by the bootstrap-token authenticator and the
/// <c>tokencleaner</c> controller: a bootstrap-token Secret's <c>expiration</c> (RFC 3339) is read against a clock.
/// No expiration never expires; an unparsable one counts as expired; the time left is never negative.
/// </summary>
public static class BootstrapTokenExpiration
{
    /// <summary>The Secret type of bootstrap tokens.</summary>
    public const string SecretType = "bootstrap.kubernetes.io/token";

    /// <summary>The key of the expiration in the Secret's data.</summary>
    public const string ExpirationKey = "expiration";

    /// <summary>The time left before <paramref name="expiration"/> at <paramref name="now"/>, and whether it has passed.</summary>
    public static (TimeSpan Ttl, bool Expired) Of(string? expiration, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(expiration))
        {
            return (TimeSpan.Zero, false);
        }

        if (!DateTimeOffset.TryParse(expiration, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return (TimeSpan.Zero, true);
        }

        var ttl = at - now;
        return ttl <= TimeSpan.Zero ? (TimeSpan.Zero, true) : (ttl, false);
    }
}
