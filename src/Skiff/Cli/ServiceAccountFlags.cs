using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Skiff.ApiServer.Authentication.ServiceAccounts;

namespace Skiff.Cli;

/// <summary>
/// The service-account token flags of <c>skiff up</c> and <c>skiff apiserver</c> (upstream's
/// <c>--service-account-issuer</c>, <c>--api-audiences</c>, <c>--service-account-key-file</c>,
/// <c>--service-account-signing-key-file</c>, <c>--service-account-max-token-expiration</c>,
/// <c>--service-account-extend-token-expiration</c>).
/// </summary>
internal sealed class ServiceAccountFlags
{
    private readonly Option<string[]> _issuer = new("--service-account-issuer")
    {
        Description = "Issuer (iss) of service-account tokens; repeat to accept more (the first signs). Default: " + ServiceAccountTokenSettings.DefaultIssuer,
        HelpName = "URL",
        AllowMultipleArgumentsPerToken = false,
    };

    private readonly Option<string[]> _audiences = new("--api-audiences")
    {
        Description = "Comma-separated audiences the API accepts in service-account tokens (default: the issuer).",
        HelpName = "AUDS",
        CustomParser = r => [.. r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
    };

    private readonly Option<string[]> _keyFiles = new("--service-account-key-file")
    {
        Description = "PEM file of public keys (or RSA private keys, certificates) that verify service-account tokens; repeatable.",
        HelpName = "FILE",
    };

    private readonly Option<string?> _signingKeyFile = new("--service-account-signing-key-file")
    {
        Description = "PEM RSA private key that signs service-account tokens (default: DIR/pki/sa.key, created once).",
        HelpName = "FILE",
    };

    private readonly Option<TimeSpan?> _maxExpiration = new("--service-account-max-token-expiration")
    {
        Description = "The longest a requested service-account token may live (e.g. 48h; default: no cap).",
        HelpName = "DURATION",
        CustomParser = ParseDuration,
    };

    private readonly Option<bool> _extend = new("--service-account-extend-token-expiration")
    {
        Description = "Extend pod-bound 3607-second tokens to a year (with warnafter), as upstream does during the bound-token rollout.",
        HelpName = "BOOL",
        Arity = ArgumentArity.ZeroOrOne,
        DefaultValueFactory = _ => true,
        CustomParser = r => r.Tokens.Count == 0 || r.Tokens[0].Value is "true" or "1",
    };

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_issuer);
        command.Options.Add(_audiences);
        command.Options.Add(_keyFiles);
        command.Options.Add(_signingKeyFile);
        command.Options.Add(_maxExpiration);
        command.Options.Add(_extend);
    }

    /// <summary>The settings the parsed flags describe.</summary>
    public ServiceAccountTokenSettings Read(ParseResult r) => new()
    {
        Issuers = r.GetValue(_issuer) is { Length: > 0 } issuers ? issuers : [ServiceAccountTokenSettings.DefaultIssuer],
        ApiAudiences = r.GetValue(_audiences) ?? [],
        KeyFiles = [.. (r.GetValue(_keyFiles) ?? []).Select(Path.GetFullPath)],
        SigningKeyFile = r.GetValue(_signingKeyFile) is { } f ? Path.GetFullPath(f) : null,
        MaxTokenExpiration = r.GetValue(_maxExpiration),
        ExtendTokenExpiration = r.GetValue(_extend),
    };

    private static TimeSpan? ParseDuration(ArgumentResult r)
    {
        var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
        var unit = text.Length > 0 ? text[^1] : ' ';
        var scale = unit switch { 'h' => 3600.0, 'm' => 60.0, 's' => 1.0, _ => 0.0 };
        if (scale > 0 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && n >= 0)
        {
            return TimeSpan.FromSeconds(n * scale);
        }

        r.AddError($"invalid duration \"{text}\" for --service-account-max-token-expiration (e.g. 48h, 90m)");
        return null;
    }
}
