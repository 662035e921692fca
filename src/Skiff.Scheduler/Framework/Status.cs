namespace Skiff.Scheduler.Framework;

/// <summary>
/// A non-success result of a plugin (upstream <c>framework.Status</c>): a code, the reasons shown to users (each reason
/// counts once per node in the <c>FailedScheduling</c> histogram) and the plugin that produced it. Success is <c>null</c>
/// throughout the framework.
/// </summary>
public sealed class Status(Code code, params string[] reasons)
{
    public Code Code { get; } = code;

    public IReadOnlyList<string> Reasons { get; } = reasons;

    /// <summary>The plugin that returned this status (set by the framework).</summary>
    public string Plugin { get; internal set; } = "";

    public bool IsRejected => Code is Code.Unschedulable or Code.UnschedulableAndUnresolvable;

    public string Message => string.Join(", ", Reasons);

    public static Status Unschedulable(params string[] reasons) => new(Code.Unschedulable, reasons);

    public static Status Unresolvable(params string[] reasons) => new(Code.UnschedulableAndUnresolvable, reasons);

    public static Status Error(string reason) => new(Code.Error, reason);

    public static Status Skip { get; } = new(Code.Skip);

    public override string ToString() => $"{Code}: {Message}";
}
