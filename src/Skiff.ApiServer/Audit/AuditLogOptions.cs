namespace Skiff.ApiServer.Audit;

/// <summary>
/// Auditing (upstream <c>--audit-policy-file</c>, <c>--audit-log-path</c>, <c>--audit-log-maxage</c>,
/// <c>--audit-log-maxbackup</c>, <c>--audit-log-maxsize</c>): without a policy file nothing is audited; without a log
/// path there is no log; <c>-</c> logs to standard output.
/// </summary>
public sealed record AuditLogOptions
{
    /// <summary>The audit policy file (YAML or JSON), or null.</summary>
    public string? PolicyFile { get; init; }

    /// <summary>The log file (<c>-</c>: standard output), or null.</summary>
    public string? LogPath { get; init; }

    /// <summary>Days to keep rotated files (0: no limit).</summary>
    public int MaxAgeDays { get; init; }

    /// <summary>Rotated files kept (0: no limit).</summary>
    public int MaxBackups { get; init; }

    /// <summary>Megabytes before the file is rotated (0: never).</summary>
    public int MaxSizeMegabytes { get; init; }

    /// <summary>Whether auditing is on.</summary>
    public bool Enabled => !string.IsNullOrEmpty(PolicyFile) && !string.IsNullOrEmpty(LogPath);
}
