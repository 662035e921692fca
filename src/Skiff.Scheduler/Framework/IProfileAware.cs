namespace Skiff.Scheduler.Framework;

/// <summary>A plugin that needs its profile's other plugins (preemption re-runs the filters).</summary>
internal interface IProfileAware
{
    void Attach(Profile profile);
}
