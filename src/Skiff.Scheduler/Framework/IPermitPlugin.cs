using k8s.Models;

namespace Skiff.Scheduler.Framework;

/// <summary>Approves, rejects or delays binding (upstream <c>PermitPlugin</c>); a Wait status waits up to the returned timeout.</summary>
public interface IPermitPlugin : IPlugin
{
    (Status? Status, TimeSpan Timeout) Permit(CycleState state, V1Pod pod, string nodeName);
}
