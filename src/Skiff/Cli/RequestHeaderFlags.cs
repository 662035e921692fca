using System.CommandLine;
using System.CommandLine.Parsing;
using Skiff.ApiServer.Security;

namespace Skiff.Cli;

/// <summary>
/// The request-header authentication and aggregation flags of <c>skiff up</c> and <c>skiff apiserver</c> (upstream's
/// <c>--requestheader-client-ca-file</c>, <c>--requestheader-allowed-names</c>, <c>--requestheader-username-headers</c>,
/// <c>--requestheader-group-headers</c>, <c>--requestheader-extra-headers-prefix</c>, <c>--enable-aggregator-routing</c>).
/// Defaults are what kubeadm wires: the front-proxy CA under DIR/pki, <c>front-proxy-client</c>, X-Remote-*.
/// </summary>
internal sealed class RequestHeaderFlags
{
    private readonly Option<string?> _clientCaFile = new("--requestheader-client-ca-file")
    {
        Description = "PEM bundle of CAs that sign authenticating proxies' client certificates (default: the front-proxy CA, DIR/pki/front-proxy-ca.crt).",
        HelpName = "FILE",
    };

    private readonly Option<string[]?> _allowedNames = List("--requestheader-allowed-names",
        "Comma-separated client certificate CNs allowed to state the user in headers; empty = any the CAs sign (default: front-proxy-client).", "NAMES");

    private readonly Option<string[]?> _usernameHeaders = List("--requestheader-username-headers", "Headers holding the user name, first wins (default: X-Remote-User).", "HEADERS");

    private readonly Option<string[]?> _groupHeaders = List("--requestheader-group-headers", "Headers holding the groups (default: X-Remote-Group).", "HEADERS");

    private readonly Option<string[]?> _extraPrefixes = List("--requestheader-extra-headers-prefix", "Prefixes of headers holding extra attributes (default: X-Remote-Extra-).", "PREFIXES");

    private readonly Option<bool> _aggregatorRouting = SkiffCommand.Bool("--enable-aggregator-routing",
        "Proxy aggregated APIs to a Service's endpoint addresses (false: to its cluster IP, through kube-proxy).", true);

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_clientCaFile);
        command.Options.Add(_allowedNames);
        command.Options.Add(_usernameHeaders);
        command.Options.Add(_groupHeaders);
        command.Options.Add(_extraPrefixes);
        command.Options.Add(_aggregatorRouting);
    }

    /// <summary>The settings the flags give (the CA file is loaded at start), and whether aggregator routing is on.</summary>
    public (RequestHeaderSettings Settings, string? ClientCaFile, bool AggregatorRouting) Read(ParseResult r)
    {
        var defaults = RequestHeaderSettings.FrontProxyDefaults;
        var settings = defaults with
        {
            AllowedNames = Given(r, _allowedNames) ?? defaults.AllowedNames,
            UsernameHeaders = Given(r, _usernameHeaders) ?? defaults.UsernameHeaders,
            GroupHeaders = Given(r, _groupHeaders) ?? defaults.GroupHeaders,
            ExtraHeaderPrefixes = Given(r, _extraPrefixes) ?? defaults.ExtraHeaderPrefixes,
        };
        return (settings, r.GetValue(_clientCaFile) is { } f ? Path.GetFullPath(f) : null, r.GetValue(_aggregatorRouting));
    }

    /// <summary>The option's value when it was given on the command line (an empty value included), else null.</summary>
    private static string[]? Given(ParseResult r, Option<string[]?> option) =>
        r.GetResult(option) is { Implicit: false } ? r.GetValue(option) ?? [] : null;

    private static Option<string[]?> List(string name, string description, string helpName) => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = r => [.. r.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
    };
}
