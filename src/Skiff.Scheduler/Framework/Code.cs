namespace Skiff.Scheduler.Framework;

/// <summary>The outcome of a plugin call (upstream <c>framework.Code</c>).</summary>
public enum Code
{
    Success,
    Error,

    /// <summary>The pod does not fit now; preemption might help.</summary>
    Unschedulable,

    /// <summary>The pod does not fit and preemption cannot help.</summary>
    UnschedulableAndUnresolvable,
    Wait,
    Skip,
}
