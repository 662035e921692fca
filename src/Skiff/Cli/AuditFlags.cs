using System.CommandLine;
using Skiff.ApiServer.Audit;

namespace Skiff.Cli;

/// <summary>
/// The audit flags of <c>skiff up</c> and <c>skiff apiserver</c> (upstream's <c>--audit-policy-file</c>,
/// <c>--audit-log-path</c> — <c>-</c> for standard output —, <c>--audit-log-maxage</c>, <c>--audit-log-maxbackup</c>,
/// <c>--audit-log-maxsize</c>). Nothing is audited unless both the policy file and the log path are given.
/// </summary>
internal sealed class AuditFlags
{
    private readonly Option<string?> _policyFile = new("--audit-policy-file")
    {
        Description = "Path to the audit policy (audit.k8s.io/v1 Policy, YAML or JSON); auditing is off without it.",
        HelpName = "FILE",
    };

    private readonly Option<string?> _logPath = new("--audit-log-path")
    {
        Description = "Write audit events to this file, one JSON event per line; '-' means standard out.",
        HelpName = "FILE",
    };

    private readonly Option<int> _maxAge = NonNegative("--audit-log-maxage", "The maximum number of days to retain old audit log files (0: no limit).");

    private readonly Option<int> _maxBackup = NonNegative("--audit-log-maxbackup", "The maximum number of old audit log files to retain (0: no limit).");

    private readonly Option<int> _maxSize = NonNegative("--audit-log-maxsize", "The maximum size in megabytes of the audit log file before it gets rotated (0: never).");

    /// <summary>Adds the flags to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(_policyFile);
        command.Options.Add(_logPath);
        command.Options.Add(_maxAge);
        command.Options.Add(_maxBackup);
        command.Options.Add(_maxSize);
    }

    /// <summary>The audit options the flags give (paths made absolute, <c>-</c> kept).</summary>
    public AuditLogOptions Read(ParseResult r) => new()
    {
        PolicyFile = r.GetValue(_policyFile) is { Length: > 0 } p ? Path.GetFullPath(p) : null,
        LogPath = r.GetValue(_logPath) is { Length: > 0 } l ? (l == "-" ? l : Path.GetFullPath(l)) : null,
        MaxAgeDays = r.GetValue(_maxAge),
        MaxBackups = r.GetValue(_maxBackup),
        MaxSizeMegabytes = r.GetValue(_maxSize),
    };

    private static Option<int> NonNegative(string name, string description)
    {
        var option = new Option<int>(name) { Description = description, HelpName = "N" };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 0)
            {
                r.AddError($"{name} must be greater than or equal to 0");
            }
        });
        return option;
    }
}
