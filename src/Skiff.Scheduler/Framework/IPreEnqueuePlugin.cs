using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>Decides whether a pod may enter the active queue at all (upstream <c>PreEnqueuePlugin</c>); null admits it.</summary>
public interface IPreEnqueuePlugin : IPlugin
{
    Status? PreEnqueue(V1Pod pod);
}
